import type { Job } from "../domain";
import { toAppError } from "../errors";
import { StaleRunError, transition } from "../jobs/transitions";
import type { Report } from "../ports";
import type { EventData, StepName } from "../progress/events";
import { createPublisher, type ProgressPublisher } from "../progress/publisher";
import type { TransitionPatch } from "../store/store";
import type { PipelineDeps } from "./types";

export type StageContext = PipelineDeps & {
  progress: ProgressPublisher;
  jobId: string;
  attempt: number;
  /** Inngest's run id: recorded on the job row so the job links to its run in the dashboard. */
  runId?: string;
  /** The run's token: its writes to the job are accepted only while it holds the job (lib/jobs/transitions.ts). */
  token: string;
};

export interface StageOptions<T> {
  /** Announce the stage's start (false for the later steps of a stage that spans several). */
  start?: boolean;
  /** Whether this step ends the stage (default: yes). */
  complete?: (result: T) => boolean;
  /** When the stage began, for a step that ends a stage begun by an earlier step. */
  startedAt?: number;
  /** What the stage's `step.completed` event tells the UI about its output (typed in lib/progress/events.ts). */
  summary?: (result: T) => EventData<"step.completed">;
  /**
   * What this step paid (USD; null: a price unknown), when it paid for anything: a reused result (a cache hit) pays
   * nothing and says undefined. Added to the job's cost as the step completes, inside the step, so a memoized step
   * (a replay) never counts twice; the step's event carries the job's total so far (`spentUsd`).
   */
  spent?: (result: T) => number | null | undefined;
  /** Runs inside the step after `step.completed`. */
  onCompleted?: (result: T) => Promise<unknown>;
}

/** The context every stage of one job run shares (both compositions build it the same way). */
export function stageContext(
  deps: PipelineDeps,
  jobId: string,
  run: { attempt: number; runId?: string; token: string },
): StageContext {
  return {
    ...deps,
    progress: createPublisher(deps, jobId),
    jobId,
    attempt: run.attempt,
    runId: run.runId,
    token: run.token,
  };
}

/**
 * Runs inside the durable step, so its progress writes happen once per attempt, never on replay. A stage may span
 * several steps (a plan, parts, a combine step): only the first announces the start, only the last the completion.
 */
export async function runStage<T>(
  name: StepName,
  fn: (report: Report) => Promise<T>,
  ctx: StageContext,
  options: StageOptions<T> = {},
): Promise<T> {
  const startedAt = options.startedAt ?? ctx.now();
  const attempt = ctx.attempt + 1;
  if (options.start !== false) {
    // Recorded before it is announced: a run that no longer holds the job stops here, before paying for anything.
    await recordOnJob(ctx, name, {
      step: name,
      reason: null,
      message: null,
      steps: { [name]: { startedAt, attempts: attempt } },
    });
    await ctx.progress.publish({ type: "step.started", step: name, attempt });
  }
  const report: Report = (done, total, unit) => {
    void ctx.progress.publish({ type: "step.progress", step: name, attempt, progress: { done, total, unit } });
  };
  try {
    const result = await fn(report);
    const spent = options.spent?.(result);
    const spend = spent === undefined ? {} : { spend: spent };
    if (options.complete && !options.complete(result)) {
      if (spent === undefined) return result;
      // A step in the middle of a stage (a window, a part): its cost is recorded, and the card's total moves on.
      const job = await recordOnJob(ctx, name, spend);
      if (job) {
        await ctx.progress.publish({
          type: "step.progress",
          step: name,
          attempt,
          data: { spentUsd: job.costUsd ?? null },
        });
      }
      return result;
    }
    const finishedAt = ctx.now();
    const job = await recordOnJob(ctx, name, {
      steps: { [name]: { startedAt, finishedAt, attempts: attempt } },
      ...spend,
    });
    const data = {
      ...(options.summary ? options.summary(result) : {}),
      ...(spent !== undefined && job ? { spentUsd: job.costUsd ?? null } : {}),
    };
    await ctx.progress.publish({
      type: "step.completed",
      step: name,
      attempt,
      ...(Object.keys(data).length > 0 ? { data } : {}),
    });
    await options.onCompleted?.(result);
    return result;
  } catch (error) {
    // A stale run says nothing more: the run that holds the job owns its progress log.
    if (error instanceof StaleRunError) throw error;
    const appError = toAppError(error);
    const failure = appError.toPublic();
    ctx.logger.warn("step failed", { step: name, attempt, reason: appError.reason, error: appError });
    // Recorded where it is known, so Inngest's onFailure (which sees only a serialized error) reads it back.
    await recordOnJob(ctx, name, { reason: failure.reason, message: failure.message });
    await ctx.progress.publish({
      type: "step.failed",
      step: name,
      attempt,
      reason: failure.reason,
      message: failure.message,
      data: { retriable: appError.retriable },
    });
    throw appError;
  }
}

/**
 * The job row mirrors the current step and its last failure for the library and the failure inbox, fenced by the
 * run's token: a write from a run that no longer holds the job is refused, logged, and stops the run. A store outage
 * is best-effort like progress (logged, the work goes on). Resolves the job as recorded, undefined when the store
 * could not be reached.
 */
export async function recordOnJob(ctx: StageContext, name: StepName, patch: TransitionPatch): Promise<Job | undefined> {
  let result: Awaited<ReturnType<typeof transition>>;
  try {
    result = await transition(ctx.store, "record", ctx.jobId, {
      token: ctx.token,
      patch: ctx.runId ? { ...patch, runId: ctx.runId } : patch,
    });
  } catch (error) {
    ctx.logger.warn("could not record the step on the job row", { step: name, error });
    return undefined;
  }
  if (!result.ok) {
    ctx.logger.warn("stale write refused: the job is no longer held by this run", {
      step: name,
      status: result.job.status,
    });
    throw new StaleRunError(`the ${name} step's record`, result.job);
  }
  return result.job;
}
