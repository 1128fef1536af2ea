import type { Extracted } from "../domain";
import type { StepName } from "../progress/events";
import { createPublisher } from "../progress/publisher";
import { detectStage } from "./detect-media";
import { extractStage } from "./extract";
import { fetchStage } from "./fetch";
import { saveStage } from "./save";
import { runStage, type StageContext, type StageOptions } from "./stage";
import { summarizeInput, summarizeSteps } from "./summarize";
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
 *   5. summarize   with the LLM, or the offline extractive summarizer: one step, or for a long input one step per
 *                  part (parallel, bounded) and a combine step (lib/pipeline/summarize.ts); a cached summary is reused
 *   6. save        the article, then announce completion
 */
export async function processArticle(
  input: PipelineInput,
  step: StepRunner,
  deps: PipelineDeps,
  ctx: RunContext = { attempt: 0 },
): Promise<PipelineResult> {
  const progress = createPublisher(deps, input.jobId);
  const context: StageContext = { ...deps, progress, jobId: input.jobId, attempt: ctx.attempt };
  const stage = <T>(name: StepName, fn: (report: Report) => Promise<T>, options: StageOptions<T> = {}) =>
    step.run(name, () => runStage(name, fn, context, options));

  const fetched = await stage("fetch", () => fetchStage(input.url, deps));
  const detected = await stage("detect", () => detectStage(fetched, deps));
  const extracted: Extracted = await stage("extract", () => extractStage(fetched, detected, deps), {
    summary: (e) => ({ title: e.title }),
  });
  const transcript = await stage("transcribe", (report) => transcribeStage(detected, extracted, deps, report));
  const summarized = await summarizeSteps(step, context, {
    load: async () => summarizeInput(extracted, transcript ?? undefined, input.lang),
    summarizer: deps.summarizer,
    force: input.force,
  });
  return stage(
    "save",
    () => saveStage({ jobId: input.jobId, extracted, transcript: transcript ?? undefined, summarized }, deps),
    {
      // The terminal event goes last, inside the step, so the relay closes after everything else arrived.
      onCompleted: (saved) =>
        progress.publish({
          type: "job.completed",
          data: { articleId: saved.articleId, title: extracted.title, costUsd: saved.costUsd },
        }),
    },
  );
}
