import type { Provenance, Summary, Transcript } from "../domain";
import type { Services } from "../services";

/**
 * The minimal step interface the composition is written against. Inngest's `step` satisfies it
 * (see inngest/functions/process-article.ts); the inline runner implements it in-process.
 * Step outputs must be plain JSON: they are memoized by Inngest between invocations.
 */
export interface StepRunner {
  run<T>(id: string, fn: () => Promise<T>): Promise<T>;
}

export interface SummarizeInput {
  title: string;
  text: string;
  transcript?: Transcript;
  lang: string | null;
  url: string;
}

export interface SummarizeResult {
  summary: Summary;
  provenance: Pick<Provenance, "model" | "promptVersion" | "path" | "inputTokens" | "outputTokens" | "costUsd">;
}

export interface Summarizer {
  readonly model: string;
  summarize(input: SummarizeInput, onProgress?: (done: number, total: number) => void): Promise<SummarizeResult>;
}

export interface TranscribeInput {
  audio: Uint8Array;
  filename: string;
  mimeType: string;
  lang?: string | null;
}

export interface Transcriber {
  readonly model: string;
  transcribe(input: TranscribeInput): Promise<Transcript>;
}

/** How a long stage says how far it is: `done` of `total` `unit`s (bytes, parts, chunks). */
export type Report = (done: number, total: number, unit: string) => void;

/** Everything a stage may touch, injected so tests pass fakes: a slice of the process's services. */
export type PipelineDeps = Pick<
  Services,
  "fetch" | "store" | "kv" | "summarizer" | "transcriber" | "reader" | "now" | "logger"
>;

export interface PipelineInput {
  jobId: string;
  url: string;
}
