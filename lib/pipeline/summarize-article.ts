import { AppError } from "../errors";
import { StaleRunError } from "../jobs/transitions";
import type { StepRunner } from "../ports";
import type { PipelineResult, RunContext } from "./process-article";
import { recordOnJob, runStage, stageContext } from "./stage";
import { costedProvenance, summarizeInput, summarizeSteps } from "./summarize";
import type { PipelineDeps } from "./types";

export interface SummaryJobInput {
  jobId: string;
  articleId: string;
  /** Another model than the configured one; absent: the configured one. */
  model?: string | null;
  lang?: string | null;
  force?: boolean;
}

/**
 * A new summary version of an article already in the library (POST /api/articles/:id/summaries): the same durable
 * summarize steps as the article pipeline, over the stored text and transcript, then a save step that adds the
 * version and makes it current. Earlier versions stay. A summary with the same cache key is made current again
 * instead of being paid for twice (unless forced).
 */
export async function summarizeArticleAgain(
  input: SummaryJobInput,
  step: StepRunner,
  deps: PipelineDeps,
  ctx: RunContext,
): Promise<PipelineResult> {
  const context = stageContext(deps, input.jobId, ctx);
  const { progress } = context;
  const summarizer = input.model && deps.summarizerFor ? deps.summarizerFor(input.model) : deps.summarizer;
  const loadArticle = async () => {
    const article = await deps.store.getArticle(input.articleId);
    if (!article) throw new AppError("not_found", `No article ${input.articleId}`);
    return article;
  };

  const summarized = await summarizeSteps(step, context, {
    load: async () => {
      const article = await loadArticle();
      return summarizeInput(article, article.transcript, input.lang);
    },
    summarizer,
    force: input.force,
  });
  return step.run("save", () =>
    runStage(
      "save",
      async () => {
        const article = await loadArticle();
        const cost = costedProvenance(summarized, undefined, deps.models ?? {});
        const provenance = {
          extractor: article.provenance.extractor,
          transcriptSource: article.transcript?.source,
          ...summarized.provenance,
          ...cost,
        };
        const key = summarized.provenance.cacheKey;
        const earlier = summarized.provenance.cached
          ? (await deps.store.listSummaries(article.id)).find((v) => v.provenance.cacheKey === key)
          : undefined;
        // Checked just before the version is added (it cannot share one statement with it, unlike an article).
        await recordOnJob(context, "save", { step: "save" });
        const saved = earlier
          ? await deps.store.setCurrentSummary(article.id, earlier.id)
          : await deps.store.addSummary(article.id, { summary: summarized.summary, provenance });
        if (!saved) throw new AppError("not_found", `No article ${input.articleId}`);
        const completed = await deps.store.completeRun(input.jobId, context.token, {
          // What the job paid is on its row already: the summarize steps added it as they completed.
          patch: { step: "save", articleId: saved.id, reason: null, message: null },
        });
        if (!completed.ok) throw new StaleRunError("the summary job's completion", completed.job);
        return { articleId: saved.id, summaryId: saved.summaryId ?? null, costUsd: completed.job.costUsd ?? null };
      },
      context,
      {
        onCompleted: (saved) =>
          progress.publish({
            type: "job.completed",
            data: { articleId: saved.articleId, summaryId: saved.summaryId, costUsd: saved.costUsd },
          }),
      },
    ),
  );
}
