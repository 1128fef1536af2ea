import type { Job } from "../domain";
import { announceRun, type LifecycleDeps } from "./lifecycle";
import { transition } from "./transitions";

export interface OpenedRun {
  started: boolean;
  /** After the start, or as it is when the start was refused. */
  job: Job;
  /** Runners that took the job over from one that stopped. */
  takeovers: number;
}

/**
 * A run takes its job with its token (`startRun`). A token the job has not seen opens a run in the progress log —
 * the same `job.queued` boundary the app's retry writes — unless a submit or retry just wrote it, so the relay and
 * the card follow a dashboard Rerun, Replay or Rerun from step, an inline takeover or the CLI. A refused start (a
 * completed job, a live holder, another active job for the URL) starts nothing and says so in the logs.
 */
export async function openRun(
  jobId: string,
  token: string,
  deps: LifecycleDeps,
  options: { runId?: string; leaseMs?: number } = {},
): Promise<OpenedRun> {
  const result = await transition(deps.store, "startRun", jobId, {
    token,
    patch: {
      token: "set",
      ...(options.runId ? { runId: options.runId } : {}),
      ...(options.leaseMs ? { leaseMs: options.leaseMs } : {}),
    },
  });
  if (!result.ok) {
    const status = result.job.status;
    deps.logger.info(
      status === "completed"
        ? "a new run of a completed job does nothing: the job is completed"
        : "this run does not start: the job is held by a live run or cannot become active",
      { status, conflict: result.conflict, runId: options.runId },
    );
    return { started: false, job: result.job, takeovers: result.takeovers };
  }
  const previous = result.previous;
  const announced = previous?.status === "queued" && previous.runToken === null;
  if (!announced && previous?.runToken !== token) {
    await announceRun(
      result.job,
      deps,
      options.runId ? { runId: options.runId, rerun: true } : { takeover: previous?.runToken != null },
    );
  }
  return { started: true, job: result.job, takeovers: result.takeovers };
}
