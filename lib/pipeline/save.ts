import type { Extracted, Transcript } from "../domain";
import { StaleRunError } from "../jobs/transitions";
import type { SummarizeResult } from "../ports";
import { costedProvenance } from "./summarize";
import type { PipelineDeps } from "./types";

export interface SaveInput {
  jobId: string;
  /** The run's token: the article is saved only while this run holds the job. */
  token: string;
  extracted: Extracted;
  transcript?: Transcript;
  summarized: SummarizeResult;
}

/**
 * Stage 6: the article (upserted by canonical URL, earlier summaries kept as versions, this one filed under its cache
 * key) and the job's outcome. The article's provenance carries the whole cost of what it is made of; the job's row
 * already holds what the job paid (its steps added it), which the completion reports.
 */
export async function saveStage(
  input: SaveInput,
  deps: Pick<PipelineDeps, "store" | "models">,
): Promise<{ articleId: string; costUsd: number | null }> {
  const { extracted, transcript, summarized } = input;
  const { extractor, ...content } = extracted;
  const cost = costedProvenance(summarized, transcript, deps.models ?? {});
  // The article and the job's completion in one statement, from the run that holds the job only.
  const completed = await deps.store.completeRun(input.jobId, input.token, {
    article: {
      ...content,
      transcript,
      summary: summarized.summary,
      provenance: {
        extractor,
        transcriptSource: transcript?.source,
        ...summarized.provenance,
        ...cost,
      },
    },
    // The job's cost is not set here: its paid steps added theirs as they completed (lib/pipeline/stage.ts).
    patch: { step: "save", reason: null, message: null },
  });
  if (completed.ok && completed.article)
    return { articleId: completed.article.id, costUsd: completed.job.costUsd ?? null };
  // The same run saving again (Inngest re-runs a step whose result it never received): its first save stands.
  const job = completed.job;
  if (job.status === "completed" && job.runToken === input.token && job.articleId) {
    return { articleId: job.articleId, costUsd: job.costUsd ?? null };
  }
  throw new StaleRunError("the article's save", job);
}
