import type { Logger } from "../log";
import type { EventType, JobStatus, ProgressEvent, ProgressInput } from "./events";
import type { ProgressKv } from "./kv";

/** An event as a writer publishes it: the publisher adds the job and the time, the KV append the `seq`. */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type PublishInput = DistributiveOmit<ProgressInput, "jobId" | "at">;

export interface ProgressPublisher {
  publish(input: PublishInput): Promise<ProgressEvent | null>;
}

const SNAPSHOT_STATUS: Partial<Record<EventType, JobStatus>> = {
  "job.queued": "queued",
  "step.started": "running",
  "job.completed": "completed",
  "job.failed": "failed",
  "job.cancelled": "cancelled",
};

/** Heard by every publisher of the process: the terminal events of jobs (webhooks, lib/webhooks/job-events.ts). */
export type TerminalListener = (event: PublishInput & { jobId: string }) => Promise<void>;

// On globalThis, as lib/services.ts's holder: a dev reload re-evaluates this module but keeps the listeners it had.
const listeners = (): Set<TerminalListener> => {
  const shared = globalThis as typeof globalThis & { __terminalListeners?: Set<TerminalListener> };
  shared.__terminalListeners ??= new Set();
  return shared.__terminalListeners;
};

/** Registers a listener for job.completed / job.failed; returns its removal. */
export function onTerminalEvent(listener: TerminalListener): () => void {
  listeners().add(listener);
  return () => listeners().delete(listener);
}

/** After a KV failure, writes are skipped for this long so an outage costs the job one timeout, not one per event. */
export const KV_BACKOFF_MS = 10_000;

/**
 * Writes one job's progress to the KV log. Best-effort by design: a KV failure is logged (once per job,
 * not once per event) and never fails the job — the work matters more than its progress bar.
 */
export function createPublisher(
  deps: { kv: ProgressKv; now: () => number; logger: Logger },
  jobId: string,
): ProgressPublisher {
  const { kv } = deps;
  const logger = deps.logger.child({ jobId });
  let warned = false;
  let skipUntil = 0;
  return {
    async publish(input) {
      if (input.type === "job.completed" || input.type === "job.failed") {
        // Not subject to the KV backoff: the listeners do not use KV. Their failures are theirs to log.
        for (const listener of listeners()) {
          await listener({ ...input, jobId }).catch((error: unknown) =>
            logger.warn("terminal event listener failed", { type: input.type, error }),
          );
        }
      }
      if (deps.now() < skipUntil) return null;
      try {
        const event = await kv.append({ ...input, jobId, at: deps.now() });
        const status = SNAPSHOT_STATUS[input.type];
        if (status || input.step) {
          const previous = await kv.getSnapshot(jobId);
          await kv.setSnapshot({
            jobId,
            status: status ?? previous?.status ?? "running",
            step: input.step ?? previous?.step,
            reason: input.reason ?? (status === "failed" ? previous?.reason : undefined),
            articleId:
              input.type === "job.completed" ? (input.data?.articleId ?? previous?.articleId) : previous?.articleId,
            updatedAt: deps.now(),
          });
        }
        return event;
      } catch (error) {
        skipUntil = deps.now() + KV_BACKOFF_MS;
        if (!warned) {
          warned = true;
          logger.warn("progress log unavailable; the job continues without live progress", { error });
        }
        return null;
      }
    },
  };
}
