import type { Extracted, MediaItem, Summary, Provenance, Transcript } from "../domain";
import type { Logger } from "../log";
import type { SafeFetch } from "../net/types";
import type { ProgressKv } from "../progress/kv";
import type { Store } from "../store/store";

/**
 * The minimal step interface the composition is written against. Inngest's `step` satisfies it
 * (see inngest/functions/process-article.ts); the inline runner implements it in-process.
 * Step outputs must be plain JSON: they are memoized by Inngest between invocations.
 */
export interface StepRunner {
  run<T>(id: string, fn: () => Promise<T>): Promise<T>;
}

/** Output of the fetch stage. HTML/XML bodies travel as text; media bodies are not downloaded here. */
export interface Fetched {
  requestedUrl: string;
  finalUrl: string;
  status: number;
  contentType: string | null;
  /** "html" | "feed" | "media" | "pdf" | "text" */
  kind: "html" | "feed" | "media" | "pdf" | "text";
  /** Decoded text for html/feed/text; base64 for pdf; empty for media. */
  body: string;
  contentLength: number | null;
  redirects: string[];
}

export interface FeedItem {
  title: string;
  description: string;
  link?: string;
  author?: string;
  pubDate?: string;
  feedTitle?: string;
  lang?: string;
}

export interface Detected {
  media: MediaItem[];
  /** The item to transcribe, if any. */
  primary?: MediaItem;
  /** When the URL is a feed: the episode it points at (or the newest). */
  feedItem?: FeedItem;
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

/** Everything a stage may touch, injected so tests pass fakes. */
export interface PipelineDeps {
  fetch: SafeFetch;
  store: Store;
  kv: ProgressKv;
  summarizer: Summarizer;
  /** Absent when no speech-to-text is configured: media without a transcript then fails with a clear reason. */
  transcriber?: Transcriber;
  now: () => number;
  logger: Logger;
}

export interface PipelineInput {
  jobId: string;
  url: string;
  force?: boolean;
}

export type { Extracted, Transcript };
