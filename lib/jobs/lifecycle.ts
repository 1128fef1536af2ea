import type { AppError } from "../errors";
import type { Logger } from "../log";
import type { ProgressKv } from "../progress/kv";
import { createPublisher } from "../progress/publisher";
import type { Store } from "../store/store";

interface LifecycleDeps {
  store: Store;
  kv: ProgressKv;
  now: () => number;
  logger: Logger;
}

/** Terminal failure: the job row says why, and the log gets its terminal event (the relay then closes). */
export async function markJobFailed(jobId: string, error: AppError, deps: LifecycleDeps): Promise<void> {
  const publicError = error.toPublic();
  deps.logger.error(`[${jobId}] job failed`, { reason: error.reason, error });
  try {
    await deps.store.updateJob(jobId, { status: "failed", reason: publicError.reason, message: publicError.message });
  } catch (storeError) {
    deps.logger.error(`[${jobId}] could not record the failure`, { error: storeError });
  }
  await createPublisher(deps.kv, jobId, deps).publish({
    type: "job.failed",
    reason: publicError.reason,
    message: publicError.message,
  });
}

export async function markJobCancelled(jobId: string, deps: LifecycleDeps): Promise<void> {
  await deps.store.updateJob(jobId, { status: "cancelled", reason: "cancelled", message: "Cancelled by the user" });
  await createPublisher(deps.kv, jobId, deps).publish({
    type: "job.cancelled",
    reason: "cancelled",
    message: "Cancelled by the user",
  });
}
