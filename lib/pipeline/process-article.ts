import type { Extracted } from "../domain";
import { toAppError } from "../errors";
import type { EventData, StepName } from "../progress/events";
import { createPublisher, type ProgressPublisher } from "../progress/publisher";
import type { JobPatch } from "../store/store";
import { detectStage } from "./detect-media";
import { extractStage } from "./extract";
import { fetchStage } from "./fetch";
import { saveStage } from "./save";
import { summarizeStage } from "./summarize";
import { transcribeStage } from "./transcribe";
import type { PipelineDeps, PipelineInput, Report, StepRunner } from "./types";

export interface PipelineResult {
  articleId: string;
}

export interface RunContext {
  /** Inngest's attempt counter (0-based) or the inline runner's. */
  attempt: number;
}

/**
 * The pipeline, written once. Each stage is one durable step: on a retry, completed stages are
 * replayed from memoized output and only the failed stage runs again.
 *
 *   1. fetch       the URL, through the SSRF guard
 *   2. detect      audio/video/feed/YouTube media
 *   3. extract     readable text and metadata (Readability on jsdom)
 *   4. transcribe  the primary media, when there is any
 *   5. summarize   with the LLM, or the offline extractive summarizer
 *   6. save        the article, then announce completion
 */
export async function processArticle(
  input: PipelineInput,
  step: StepRunner,
  deps: PipelineDeps,
  ctx: RunContext = { attempt: 0 },
): Promise<PipelineResult> {
  const progress = createPublisher(deps, input.jobId);
  const stage = <T>(name: StepName, fn: (report: Report) => Promise<T>, options: StageOptions<T> = {}) =>
    step.run(name, () => runStage(name, fn, { ...deps, progress, jobId: input.jobId, attempt: ctx.attempt }, options));

  const fetched = await stage("fetch", () => fetchStage(input.url, deps));
  const detected = await stage("detect", () => detectStage(fetched, deps));
  const extracted: Extracted = await stage("extract", () => extractStage(fetched, detected, deps), {
    summary: (e) => ({ title: e.title }),
  });
  const transcript = await stage("transcribe", (report) => transcribeStage(detected, extracted, deps, report));
  const summarized = await stage("summarize", (report) =>
    summarizeStage({ extracted, transcript: transcript ?? undefined }, deps, report),
  );
  return stage(
    "save",
    () => saveStage({ jobId: input.jobId, extracted, transcript: transcript ?? undefined, summarized }, deps),
    {
      // The terminal event goes last, inside the step, so the relay closes after everything else arrived.
      onCompleted: (saved) =>
        progress.publish({ type: "job.completed", data: { articleId: saved.articleId, title: extracted.title } }),
    },
  );
}

type StageContext = PipelineDeps & { progress: ProgressPublisher; jobId: string; attempt: number };

interface StageOptions<T> {
  /** What the stage's `step.completed` event tells the UI about its output (typed in lib/progress/events.ts). */
  summary?: (result: T) => EventData<"step.completed">;
  /** Runs inside the step after `step.completed`. */
  onCompleted?: (result: T) => Promise<unknown>;
}

/** Runs inside the durable step, so its progress writes happen once per attempt, never on replay. */
async function runStage<T>(
  name: StepName,
  fn: (report: Report) => Promise<T>,
  ctx: StageContext,
  options: StageOptions<T>,
): Promise<T> {
  const startedAt = ctx.now();
  const attempt = ctx.attempt + 1;
  await ctx.progress.publish({ type: "step.started", step: name, attempt });
  // Only a start changes status (the save stage itself marks the job completed); it clears the last failure.
  await recordOnJob(ctx, name, {
    status: "running",
    step: name,
    reason: null,
    message: null,
    steps: { [name]: { startedAt, attempts: attempt } },
  });
  const report: Report = (done, total, unit) => {
    void ctx.progress.publish({ type: "step.progress", step: name, attempt, progress: { done, total, unit } });
  };
  try {
    const result = await fn(report);
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
    await ctx.store.updateJob(ctx.jobId, patch);
  } catch (error) {
    ctx.logger.warn("could not record the step on the job row", { step: name, error });
  }
}
