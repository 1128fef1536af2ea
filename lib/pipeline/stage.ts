import { toAppError } from "../errors";
import type { Report } from "../ports";
import type { EventData, StepName } from "../progress/events";
import { createPublisher, type ProgressPublisher } from "../progress/publisher";
import type { JobPatch } from "../store/store";
import type { PipelineDeps } from "./types";

export type StageContext = PipelineDeps & {
  progress: ProgressPublisher;
  jobId: string;
  attempt: number;
  /** Inngest's run id: recorded on the job row so the job links to its run in the dashboard. */
  runId?: string;
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
  /** Runs inside the step after `step.completed`. */
  onCompleted?: (result: T) => Promise<unknown>;
}

/** The context every stage of one job run shares (both compositions build it the same way). */
export function stageContext(
  deps: PipelineDeps,
  jobId: string,
  run: { attempt: number; runId?: string },
): StageContext {
  return { ...deps, progress: createPublisher(deps, jobId), jobId, attempt: run.attempt, runId: run.runId };
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
    await ctx.progress.publish({ type: "step.started", step: name, attempt });
    // Only a start changes status (the save stage itself marks the job completed); it clears the last failure.
    await recordOnJob(ctx, name, {
      status: "running",
      step: name,
      reason: null,
      message: null,
      steps: { [name]: { startedAt, attempts: attempt } },
    });
  }
  const report: Report = (done, total, unit) => {
    void ctx.progress.publish({ type: "step.progress", step: name, attempt, progress: { done, total, unit } });
  };
  try {
    const result = await fn(report);
    if (options.complete && !options.complete(result)) return result;
    const finishedAt = ctx.now();
    await ctx.progress.publish({
      type: "step.completed",
      step: name,
      attempt,
      ...(options.summary ? { data: options.summary(result) } : {}),
    });
    await recordOnJob(ctx, name, { steps: { [name]: { startedAt, finishedAt, attempts: attempt } } });
    await options.onCompleted?.(result);
    return result;
  } catch (error) {
    const appError = toAppError(error);
    const failure = appError.toPublic();
    ctx.logger.warn("step failed", { step: name, attempt, reason: appError.reason, error: appError });
    await ctx.progress.publish({
      type: "step.failed",
      step: name,
      attempt,
      reason: failure.reason,
      message: failure.message,
      data: { retriable: appError.retriable },
    });
    // Recorded where it is known, so Inngest's onFailure (which sees only a serialized error) reads it back.
    await recordOnJob(ctx, name, { reason: failure.reason, message: failure.message });
    throw appError;
  }
}

/** The job row mirrors the current step and its last failure for the library and the failure inbox; best-effort like progress. */
async function recordOnJob(ctx: StageContext, name: StepName, patch: JobPatch) {
  try {
    await ctx.store.updateJob(ctx.jobId, ctx.runId ? { ...patch, runId: ctx.runId } : patch);
  } catch (error) {
    ctx.logger.warn("could not record the step on the job row", { step: name, error });
  }
}
