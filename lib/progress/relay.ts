import { AppError } from "../errors";
import { isTerminal, type ProgressEvent } from "./events";
import type { ProgressKv } from "./kv";
import { encodeComment, encodeEvent, encodeRelayError, encodeRetry } from "./sse";

export { SSE_HEADERS } from "./sse";

export interface EventStreamOptions {
  kv: ProgressKv;
  jobId: string;
  /** Replay events with seq > after. */
  after: number;
  /** The request's signal: reading stops when the client goes away. */
  signal?: AbortSignal;
  heartbeatMs?: number;
  /** The stream ends itself after this long, before the platform cuts it; the browser reconnects and resumes. */
  maxLifetimeMs?: number;
  /** Reconnect advice sent to the browser. */
  retryMs?: number;
  /** Checked at each heartbeat: false (signed out, sessions revoked) ends the stream. */
  stillAuthorized?: () => Promise<boolean>;
  /** Where a failed read is reported: the browser only hears that the log is unavailable, never the backend's words. */
  onError?: (error: unknown) => void;
}

const BATCH = 200;

/**
 * The relay: replays the job's log after `after`, then follows it live until the terminal event of the job's
 * latest run, the lifetime cap, or the client leaving. Terminal events end a *run*: a retry appends `job.queued`
 * and a new run follows, so earlier runs are replayed as history and the stream goes on into the next run.
 * It only reads KV — it never shares memory with the job that writes.
 */
export function createEventStream(options: EventStreamOptions): ReadableStream<Uint8Array> {
  const { kv, jobId } = options;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const maxLifetimeMs = options.maxLifetimeMs ?? 285_000;
  const stop = new AbortController();
  const onClientGone = () => stop.abort();
  options.signal?.addEventListener("abort", onClientGone, { once: true });

  return new ReadableStream<Uint8Array>({
    async start(controller) {
      const endAt = Date.now() + maxLifetimeMs;
      let lastSeq = options.after;
      let lastWrite = Date.now();
      const write = (chunk: Uint8Array) => {
        controller.enqueue(chunk);
        lastWrite = Date.now();
      };
      // Events a wake-up carried (Upstash pushes them): written without reading the log again.
      let pushed: ProgressEvent[] = [];
      try {
        write(encodeRetry(options.retryMs ?? 1_000));
        // A browser resuming right after a terminal event: if no run follows it, there is nothing more to send.
        if (lastSeq > 0) {
          const [resumedAt] = await kv.readAfter(jobId, lastSeq - 1, 1);
          if (resumedAt && isTerminal(resumedAt.type)) {
            const next = await nextRunStart(kv, jobId, lastSeq);
            if (next === null) return;
            lastSeq = next - 1;
          }
        }
        while (!stop.signal.aborted && Date.now() < endAt) {
          const events = pushed[0]?.seq === lastSeq + 1 ? pushed : await kv.readAfter(jobId, lastSeq, BATCH);
          pushed = [];
          let more = events.length === BATCH;
          for (const event of events) {
            write(encodeEvent(event));
            lastSeq = event.seq;
            if (!isTerminal(event.type)) continue;
            const next = await nextRunStart(kv, jobId, event.seq);
            if (next === null) return;
            // Stray writes between a run's end and the next run's start belong to no run: skipped.
            lastSeq = next - 1;
            more = true;
            break;
          }
          if (more) continue;
          const untilHeartbeat = heartbeatMs - (Date.now() - lastWrite);
          if (untilHeartbeat <= 0) {
            // A stream outlives no sign-out: the credentials it opened with are checked again at every heartbeat.
            if (options.stillAuthorized && !(await options.stillAuthorized())) return;
            write(encodeComment("heartbeat"));
            continue;
          }
          pushed = await kv.waitForEvents(jobId, lastSeq, Math.min(untilHeartbeat, endAt - Date.now()), stop.signal);
        }
      } catch (error) {
        if (!stop.signal.aborted) {
          options.onError?.(error);
          write(encodeRelayError("The progress log is unavailable; reconnecting will try again"));
        }
      } finally {
        // Ends this reader's subscription (one per response) whatever ended the stream.
        stop.abort();
        options.signal?.removeEventListener("abort", onClientGone);
        try {
          controller.close();
        } catch {
          // Already closed because the client cancelled.
        }
      }
    },
    cancel() {
      stop.abort();
    },
  });
}

/** The seq of the `job.queued` that starts a run after `afterSeq`, or null when the run ending there is the latest. */
async function nextRunStart(kv: ProgressKv, jobId: string, afterSeq: number): Promise<number | null> {
  let cursor = afterSeq;
  for (;;) {
    const events = await kv.readAfter(jobId, cursor, BATCH);
    const queued = events.find((e) => e.type === "job.queued");
    if (queued) return queued.seq;
    if (events.length < BATCH) return null;
    cursor = events.at(-1)?.seq ?? cursor;
  }
}

/**
 * Where to resume: the `Last-Event-ID` header (browser reconnects) or `?after=` (first connection, polling).
 * A whole number, clamped to the safe integer range (a sequence number past it cannot exist); `?after=` that is
 * not a whole number is a named 400. A browser's header that is not one starts from the beginning.
 */
export function parseLastEventId(request: Request): number {
  const header = request.headers.get("last-event-id");
  const raw = header ?? new URL(request.url).searchParams.get("after") ?? "0";
  if (!/^\s*\d+\s*$/.test(raw)) {
    if (header !== null) return 0;
    throw new AppError("invalid_body", "?after must be a whole number (an event's sequence number)");
  }
  return Math.min(Number(raw.trim()), Number.MAX_SAFE_INTEGER);
}
