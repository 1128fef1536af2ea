import type { Job } from "../domain";
import { AppError } from "../errors";
import type { JobStatus } from "../progress/events";
import type { Store, TransitionFence, TransitionPatch, TransitionResult } from "../store/store";

/**
 * The job's state machine: every actor (submit, the app's retry and cancel, the inbox, a runner, Inngest's dashboard
 * reruns, the CLI, the sweep) changes a job's status only through these transitions. Each is one conditional
 * statement in the database (`transition_job`: `update … where status in (from) and <fence> returning`), so two
 * actors racing for one job cannot both win; a refused transition returns the job as it is.
 *
 * Fences: `any`; `holder` (only the run whose token holds the job: a cancelled, superseded or taken-over run is
 * refused); `expect` (the token is still the one the caller saw, none included: the sweep never fails a job that a run
 * just took); `start` (a new run takes the job when nobody holds it, it holds it already, or the holder's lease is
 * gone: a live inline lease is refused; an Inngest run holds no lease, so a newer run of the job supersedes it).
 */
export const TRANSITIONS = {
  /** `createJob`: an insert, one active job per canonical URL (the other transitions are updates). */
  submit: { from: [], to: "queued", fence: "any" },
  /** The URL already has an article: the new job completes at once. */
  deduplicate: { from: ["queued"], to: "completed", fence: "any" },
  /** A run takes the job with its token: the first run, a retry's, a dashboard rerun, an inline takeover, the CLI. */
  startRun: { from: ["queued", "running", "failed", "cancelled"], to: "running", fence: "start" },
  /**
   * A run's step bookkeeping (current step, timings, last failure): no status change, holder only. The completing
   * run keeps its token, so it still records its last step's timing on the completed job.
   */
  record: { from: ["running", "completed"], to: null, fence: "holder" },
  retry: { from: ["failed", "cancelled"], to: "queued", fence: "any" },
  cancel: { from: ["queued", "running"], to: "cancelled", fence: "any" },
  /** Holder only, with the article saved in the same statement (`complete_run`). */
  complete: { from: ["running"], to: "completed", fence: "holder" },
  /** The run's final failure, after its retries. */
  fail: { from: ["running"], to: "failed", fence: "holder" },
  /** The sweep, or a dispatch that failed: a job nobody runs, still held by the token the caller saw. */
  abandon: { from: ["queued", "running"], to: "failed", fence: "expect" },
  /** The failure inbox's triage (and restore): no status change. */
  dismiss: { from: ["failed", "cancelled"], to: null, fence: "any" },
} as const satisfies Record<string, { from: readonly JobStatus[]; to: JobStatus | null; fence: TransitionFence }>;

export type TransitionName = keyof typeof TRANSITIONS;

/** Applies a named transition; resolves its result (`ok: false` with the job as it is when refused). */
export async function transition(
  store: Pick<Store, "transitionJob">,
  name: Exclude<TransitionName, "submit" | "complete">,
  jobId: string,
  options: { token?: string | null; patch?: TransitionPatch } = {},
): Promise<TransitionResult> {
  const spec = TRANSITIONS[name];
  const result = await store.transitionJob(jobId, {
    from: spec.from,
    to: spec.to,
    fence: spec.fence,
    token: options.token ?? null,
    patch: options.patch ?? {},
  });
  if (!result) throw new AppError("not_found", `No job ${jobId}`);
  return result;
}

/** For the HTTP API: a refused transition is a 409 that names the job's current state. */
export function refused(name: TransitionName, job: Job, conflict?: string): AppError {
  const allowed = TRANSITIONS[name].from.join(" or ");
  const message =
    conflict === "active_url"
      ? `Another job for this URL is active (this one is ${job.status})`
      : `Only ${allowed} jobs allow ${name} (this one is ${job.status})`;
  return new AppError("conflict", message, { current: job.status });
}

/** A write from a run that no longer holds its job: refused, logged, and the run stops at once. */
export class StaleRunError extends AppError {
  constructor(what: string, job: Pick<Job, "status"> | null) {
    super("cancelled", `This run no longer holds the job (${what} refused; the job is ${job?.status ?? "gone"})`, {
      retriable: false,
    });
    this.name = "StaleRunError";
  }
}
