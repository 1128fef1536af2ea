import type { Job } from "../domain";
import type { AppError } from "../errors";
import { createPublisher } from "../progress/publisher";
import type { Services } from "../services";
import { transition } from "./transitions";

/** `logger` is the job's own (bound to its id). */
export type LifecycleDeps = Pick<Services, "store" | "kv" | "now" | "logger">;

/**
 * Terminal failure: the job row says why, and the log gets its terminal event (the relay then closes) — only when
 * the transition is accepted. `fail` is the holding run's (by its token); `abandon` is the sweep's or a failed
 * dispatch's, accepted only while the job is still held by the token the caller saw (none included).
 * Resolves whether the job was failed.
 */
export async function markJobFailed(
  jobId: string,
  error: AppError,
  deps: LifecycleDeps,
  by: { as: "fail" | "abandon"; token: string | null },
): Promise<boolean> {
  const publicError = error.toPublic();
  const result = await transition(deps.store, by.as, jobId, {
    token: by.token,
    patch: { reason: publicError.reason, message: publicError.message, token: "clear" },
  });
  if (!result.ok) {
    deps.logger.warn("stale write refused: the job is no longer held by this run", {
      transition: by.as,
      status: result.job.status,
      reason: publicError.reason,
    });
    return false;
  }
  deps.logger.error("job failed", { reason: error.reason, error });
  await createPublisher(deps, jobId).publish({
    type: "job.failed",
    reason: publicError.reason,
    message: publicError.message,
  });
  return true;
}

/** A new run's boundary in the progress log: the relay and the card follow the run from here. */
export async function announceRun(
  job: Job,
  deps: LifecycleDeps,
  data: { runId?: string; takeover?: boolean; rerun?: boolean },
): Promise<void> {
  await createPublisher(deps, job.id).publish({ type: "job.queued", data: { url: job.url, ...data } });
}
