import type { ProgressEvent, ProgressInput, ProgressSnapshot } from "./events";

/** Seven days: long enough to replay a job's progress after the fact, short enough to cost nothing. */
export const PROGRESS_TTL_SECONDS = 7 * 24 * 60 * 60;
/** A runaway job cannot grow its log without bound. */
export const MAX_EVENTS_PER_JOB = 5_000;

export type LiveMode = "push" | "poll";

/**
 * The progress log port. Implementations: memory (one process), Redis over TCP, Upstash REST.
 * The writer (a pipeline step) and the reader (the SSE relay) share nothing but this.
 */
export interface ProgressKv {
  readonly kind: "memory" | "redis" | "upstash";
  /** Appends and returns the event with the sequence number the append assigned (1, 2, 3…). */
  append(input: ProgressInput): Promise<ProgressEvent>;
  /** Events with seq > after, in order, at most `limit`. */
  readAfter(jobId: string, after: number, limit?: number): Promise<ProgressEvent[]>;
  /**
   * Resolves when events after `after` may exist, or after `timeoutMs`, or when `signal` aborts.
   * Redis and Upstash are woken by pub/sub (Upstash falls back to polling when it cannot subscribe).
   * May resolve with the events the wake-up carried (seq after+1, after+2… without gaps) so the caller need
   * not read the log again; an empty array means "read the log". A `signal` marks one reader (one SSE
   * response): an adapter may keep its subscription open across calls until that signal aborts.
   */
  waitForEvents(jobId: string, after: number, timeoutMs: number, signal?: AbortSignal): Promise<ProgressEvent[]>;
  /** How live reads are woken right now: pushed notifications, or polling (Upstash when it cannot subscribe). */
  liveMode(): Promise<LiveMode>;
  count(jobId: string): Promise<number>;
  getSnapshot(jobId: string): Promise<ProgressSnapshot | null>;
  setSnapshot(snapshot: ProgressSnapshot): Promise<void>;
  /** Deletes these jobs' logs and snapshots (retention; the TTL would drop them later anyway). */
  remove(jobIds: string[]): Promise<void>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
