import type { JobDispatch } from "../jobs/runner";
import type { StepRunner } from "../ports";
import { type PipelineResult, processArticle, type RunContext } from "./process-article";
import { summarizeArticleAgain } from "./summarize-article";
import type { PipelineDeps } from "./types";

/** One job, whichever kind: the article pipeline, or a new summary version of an article already saved. */
export function runJob(
  job: JobDispatch,
  step: StepRunner,
  deps: PipelineDeps,
  ctx: RunContext,
): Promise<PipelineResult> {
  if (job.kind === "summary" && job.articleId) {
    return summarizeArticleAgain(
      { jobId: job.jobId, articleId: job.articleId, model: job.model, lang: job.lang, force: job.force },
      step,
      deps,
      ctx,
    );
  }
  return processArticle({ jobId: job.jobId, url: job.url, force: job.force, lang: job.lang }, step, deps, ctx);
}
