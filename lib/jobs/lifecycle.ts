import type { AppError } from "../errors";
import { createPublisher } from "../progress/publisher";
import type { Services } from "../services";

/** `logger` is the job's own (bound to its id). */
export type LifecycleDeps = Pick<Services, "store" | "kv" | "now" | "logger">;

/** Terminal failure: the job row says why, and the log gets its terminal event (the relay then closes). */
export async function markJobFailed(jobId: string, error: AppError, deps: LifecycleDeps): Promise<void> {
  const publicError = error.toPublic();
  deps.logger.error("job failed", { reason: error.reason, error });
  try {
    await deps.store.updateJob(jobId, { status: "failed", reason: publicError.reason, message: publicError.message });
  } catch (storeError) {
    deps.logger.error("could not record the failure", { error: storeError });
  }
  await createPublisher(deps, jobId).publish({
    type: "job.failed",
    reason: publicError.reason,
    message: publicError.message,
  });
}

export async function markJobCancelled(jobId: string, deps: LifecycleDeps): Promise<void> {
  await deps.store.updateJob(jobId, { status: "cancelled", reason: "cancelled", message: "Cancelled by the user" });
  await createPublisher(deps, jobId).publish({
    type: "job.cancelled",
    reason: "cancelled",
    message: "Cancelled by the user",
  });
}
