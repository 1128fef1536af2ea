/**
 * The ports: what the pipeline asks of a summarizer, a transcriber and a step runner, and the plain-JSON values they
 * exchange. A leaf module (domain types only), so adapters in lib/ai implement these without importing the pipeline.
 */
import type { Provenance, Summary, Transcript } from "./domain";

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
  /** The language to write the summary in (ISO 639-1), already resolved: the job's choice, the page's, or detected. */
  lang: string | null;
  url: string;
  /** The media's duration, when known: chapters must start inside it. */
  durationSec?: number | null;
}

export type SummaryProvenance = Omit<Provenance, "extractor" | "transcriptSource" | "transcription" | "totalCostUsd">;

export interface SummarizeResult {
  summary: Summary;
  provenance: SummaryProvenance;
}

/** How one input will be summarized; a step's output, so plain JSON. */
export interface SummaryPlan {
  path: "single" | "map-reduce" | "extractive";
  model: string;
  /** Map-reduce: the number of parts and the most tokens one part may hold. */
  parts: number;
  partTokens: number;
  /** The most tokens one part's notes may keep (so the combine call's input stays small). */
  notesTokens: number;
  contentTokens: number;
  promptTokens: number;
  /**
   * Calls paid for before this plan was made: a single call whose answer was cut off at the model's output limit,
   * after which the summary is made in parts. The combine call adds them to the summary's tokens and cost.
   */
  spent?: Spent;
}

/** Tokens of calls already paid for, carried to the summary that is finally made (so its cost includes them). */
export interface Spent {
  inputTokens: number;
  outputTokens: number;
  /** Some answer carried no `usage`: the cost is unknown. */
  usageMissing?: boolean;
  /** What those calls cost (null: unknown), recorded on the job by the step that paid. */
  costUsd?: number | null;
}

export interface SplitHint {
  split?: boolean;
  contextTokens?: number;
}

/** One map-reduce part's notes: small, a step's output. */
export interface PartNotes {
  index: number;
  notes: string;
  inputTokens: number;
  outputTokens: number;
  promptTokens: number;
  /** The answer carried no `usage`: its token counts are unknown, and so is the summary's cost. */
  usageMissing?: boolean;
  /** What this part's call cost (null or absent: unknown), recorded on the job by its step. */
  costUsd?: number | null;
}

/**
 * A summarizer is planned, then run as one call or as parts and a combine call — each of those its own durable step
 * in the pipeline, so a failed combine call never pays for the parts again.
 */
export interface Summarizer {
  readonly model: string;
  /**
   * The path from the token budget. `split` forces parts: the provider said the single call did not fit, and
   * `contextTokens` is the limit it stated, when it stated one.
   */
  plan(input: SummarizeInput, options?: SplitHint): SummaryPlan;
  /**
   * The single-call path. Throws ContextLengthError (lib/ai/chat.ts) when the provider says it does not fit, and
   * CutOffError with what the call spent when its answer was cut off at the model's output limit.
   */
  summarize(input: SummarizeInput, plan: SummaryPlan): Promise<SummarizeResult>;
  summarizePart(input: SummarizeInput, plan: SummaryPlan, index: number): Promise<PartNotes>;
  combine(input: SummarizeInput, plan: SummaryPlan, parts: PartNotes[]): Promise<SummarizeResult>;
}

export interface TranscribeInput {
  audio: Uint8Array;
  filename: string;
  mimeType: string;
  lang?: string | null;
  /** Sized to the audio's length by the caller (a long window needs longer than a clip). */
  timeoutMs?: number;
  /** The upload's planned length in seconds: billed when the response carries no `usage`. */
  durationSec?: number;
  /** Diarizing models: short clips of speakers heard earlier, so a window labels the same person the same way. */
  knownSpeakers?: KnownSpeaker[];
  /** The format this server answered in before (a plan's memory of a probe): an unknown server is asked in it first. */
  format?: SttFormat;
}

export interface KnownSpeaker {
  name: string;
  audio: Uint8Array;
  mimeType: string;
}

/** What a speech-to-text model can do and accept; planning and request building both follow it. */
export interface SttCapabilities {
  /** Response formats the model answers, the preferred first; an unknown server is probed down this list. */
  formats: SttFormat[];
  /** Segment times in the answer; without them the planner cuts short windows and each becomes a segment. */
  timestamps: boolean;
  /** Segments carry a speaker label (`diarized_json`). */
  diarization: boolean;
  /** Takes a `prompt`. */
  prompt: boolean;
  /** Longest audio per request, in seconds (null: only the upload size limits it). */
  maxSeconds: number | null;
  /** Largest upload per request, in bytes. */
  maxUploadBytes: number;
  /** True when the model is not in the table and its format is not known yet: the format is found by trying. */
  probe: boolean;
  /** A model not in the table whose format a probe found: that format (its timestamps follow from it). */
  learned?: SttFormat;
}

export type SttFormat = "verbose_json" | "diarized_json" | "json" | "text";

export interface Transcriber {
  readonly model: string;
  /** Absent for simple fakes: the planner then reads the model table. */
  readonly capabilities?: SttCapabilities;
  transcribe(input: TranscribeInput): Promise<Transcript>;
}

/** How a long stage says how far it is: `done` of `total` `unit`s (bytes, parts, chunks). */
export type Report = (done: number, total: number, unit: string) => void;
