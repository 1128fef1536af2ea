import type { Extracted } from "../domain";
import type { Report, StepRunner } from "../ports";
import type { StepName } from "../progress/events";
import { detectStage } from "./detect-media";
import { extractStage } from "./extract";
import { fetchStage } from "./fetch";
import { saveStage } from "./save";
import { runStage, type StageOptions, stageContext } from "./stage";
import { summarizeInput, summarizeSteps } from "./summarize";
import { transcribeSteps } from "./transcribe";
import { resolveTranscript } from "./transcribe-chunks";
import type { PipelineDeps, PipelineInput } from "./types";

export interface PipelineResult {
  articleId: string;
}

export interface RunContext {
  /** Inngest's attempt counter (0-based) or the inline runner's. */
  attempt: number;
  /** Inngest's run id, recorded on the job row so the job links to its run in the dashboard. */
  runId?: string;
  /** The token the run holds the job by (the Inngest run id, or a fresh id per inline start). */
  token: string;
}

/**
 * The pipeline, written once. Each stage is one durable step: on a retry, completed stages are
 * replayed from memoized output and only the failed stage runs again.
 *
 *   1. fetch       the URL, through the SSRF guard
 *   2. detect      audio/video/feed/YouTube media
 *   3. extract     readable text and metadata (Readability on jsdom)
 *   4. transcribe  the primary media, when there is any: a plan, then one step per time window (parallel,
 *                  bounded: `transcribe:chunk:<i>`), then `transcribe:stitch`; the transcript travels by reference
 *   5. summarize   with the LLM, or the offline extractive summarizer: one step, or for a long input one step per
 *                  part (parallel, bounded) and a combine step (lib/pipeline/summarize.ts); a cached summary is reused
 *   6. save        the article, then announce completion
 */
export async function processArticle(
  input: PipelineInput,
  step: StepRunner,
  deps: PipelineDeps,
  ctx: RunContext,
): Promise<PipelineResult> {
  const context = stageContext(deps, input.jobId, ctx);
  const stage = <T>(name: StepName, fn: (report: Report) => Promise<T>, options: StageOptions<T> = {}) =>
    step.run(name, () => runStage(name, fn, context, options));

  const fetched = await stage("fetch", () => fetchStage(input.url, deps));
  const detected = await stage("detect", () => detectStage(fetched, deps));
  const extracted: Extracted = await stage("extract", () => extractStage(fetched, detected, deps), {
    summary: (e) => ({ title: e.title }),
  });
  const transcript = await transcribeSteps(step, context, detected, extracted);
  const summarized = await summarizeSteps(step, context, {
    load: async () => summarizeInput(extracted, await resolveTranscript(transcript, deps.store), input.lang),
    summarizer: deps.summarizer,
    force: input.force,
  });
  return stage(
    "save",
    async () =>
      saveStage(
        {
          jobId: input.jobId,
          token: context.token,
          extracted,
          transcript: await resolveTranscript(transcript, deps.store),
          summarized,
        },
        deps,
      ),
    {
      // The terminal event goes last, inside the step, so the relay closes after everything else arrived.
      onCompleted: (saved) =>
        context.progress.publish({
          type: "job.completed",
          data: { articleId: saved.articleId, title: extracted.title, costUsd: saved.costUsd },
        }),
    },
  );
}
