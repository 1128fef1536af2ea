import type { Extracted } from "../domain";
import { toAppError } from "../errors";
import type { StepName } from "../progress/events";
import { createPublisher, type ProgressPublisher } from "../progress/publisher";
import { detectStage } from "./detect-media";
import { extractStage } from "./extract";
import { fetchStage } from "./fetch";
import { saveStage } from "./save";
import { summarizeStage } from "./summarize";
import { transcribeStage } from "./transcribe";
import type { PipelineDeps, PipelineInput, StepRunner } from "./types";

export interface PipelineResult {
  articleId: string;
}

export interface RunContext {
  /** Inngest's attempt counter (0-based) or the inline runner's. */
  attempt: number;
}

type Report = (done: number, total: number, unit: string) => void;

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
  const progress = createPublisher(deps.kv, input.jobId, deps);
  const stage = <T>(
    name: StepName,
    fn: (report: Report) => Promise<T>,
    onCompleted?: (result: T) => Promise<unknown>,
  ) =>
    step.run(name, () =>
      runStage(name, fn, { ...deps, progress, jobId: input.jobId, attempt: ctx.attempt }, onCompleted),
    );

  const fetched = await stage("fetch", () => fetchStage(input.url, deps));
  const detected = await stage("detect", () => detectStage(fetched, deps));
  const extracted: Extracted = await stage("extract", () => extractStage(fetched, detected));
  const transcript = await stage("transcribe", (report) => transcribeStage(detected, extracted, deps, report));
  const summarized = await stage("summarize", (report) =>
    summarizeStage({ extracted, transcript: transcript ?? undefined }, deps, report),
  );
  return stage(
    "save",
    () => saveStage({ jobId: input.jobId, extracted, transcript: transcript ?? undefined, summarized }, deps),
    // The terminal event goes last, inside the step, so the relay closes after everything else arrived.
    (saved) =>
      progress.publish({ type: "job.completed", data: { articleId: saved.articleId, title: extracted.title } }),
  );
}

interface StageContext extends PipelineDeps {
  progress: ProgressPublisher;
  jobId: string;
  attempt: number;
}

/** Runs inside the durable step, so its progress writes happen once per attempt, never on replay. */
async function runStage<T>(
  name: StepName,
  fn: (report: Report) => Promise<T>,
  ctx: StageContext,
  onCompleted?: (result: T) => Promise<unknown>,
): Promise<T> {
  const startedAt = ctx.now();
  const attempt = ctx.attempt + 1;
  await ctx.progress.publish({ type: "step.started", step: name, attempt });
  await markJob(ctx, name, { startedAt, attempts: attempt });
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
      data: { ms: finishedAt - startedAt, ...stageSummary(result) },
    });
    await markJob(ctx, name, { startedAt, finishedAt, attempts: attempt });
    await onCompleted?.(result);
    return result;
  } catch (error) {
    const appError = toAppError(error);
    ctx.logger.warn(`${name} failed`, { reason: appError.reason, error: appError });
    await ctx.progress.publish({
      type: "step.failed",
      step: name,
      attempt,
      reason: appError.reason,
      message: appError.toPublic().message,
      data: { retriable: appError.retriable },
    });
    throw appError;
  }
}

/** The job row mirrors the current step for the library and the failure inbox; best-effort like progress. */
async function markJob(
  ctx: StageContext,
  name: StepName,
  timing: { startedAt: number; finishedAt?: number; attempts: number },
) {
  try {
    // Only a start changes status: the save stage itself marks the job completed.
    const status = timing.finishedAt === undefined ? { status: "running" as const, step: name } : {};
    await ctx.store.updateJob(ctx.jobId, { ...status, steps: { [name]: timing } });
  } catch (error) {
    ctx.logger.warn("could not record step on the job row", { step: name, error });
  }
}

/** A few small facts about a stage's output, shown in the UI beside the stage. */
function stageSummary(result: unknown): Record<string, unknown> {
  if (!result || typeof result !== "object") return {};
  const r = result as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  if (typeof r.kind === "string") out.kind = r.kind;
  if (typeof r.status === "number") out.status = r.status;
  if (Array.isArray(r.media)) out.media = r.media.length;
  if (typeof r.title === "string") out.title = r.title;
  if (typeof r.text === "string") out.chars = r.text.length;
  if (typeof r.source === "string") out.source = r.source;
  if (typeof r.articleId === "string") out.articleId = r.articleId;
  if (r.provenance && typeof r.provenance === "object") {
    const p = r.provenance as Record<string, unknown>;
    out.model = p.model;
    out.path = p.path;
  }
  return out;
}
