import type { Extracted, Transcript } from "../domain";
import type { SummarizeResult } from "../ports";
import { costedProvenance } from "./summarize";
import type { PipelineDeps } from "./types";

export interface SaveInput {
  jobId: string;
  extracted: Extracted;
  transcript?: Transcript;
  summarized: SummarizeResult;
}

/**
 * Stage 6: the article (upserted by canonical URL, earlier summaries kept as versions, this one filed under its cache
 * key) and the job's outcome, with the job's whole cost (summary and speech-to-text).
 */
export async function saveStage(
  input: SaveInput,
  deps: Pick<PipelineDeps, "store" | "models">,
): Promise<{ articleId: string; costUsd: number | null }> {
  const { extracted, transcript, summarized } = input;
  const { extractor, ...content } = extracted;
  const { jobCostUsd, ...cost } = costedProvenance(summarized, transcript, deps.models ?? {});
  const article = await deps.store.upsertArticle({
    ...content,
    transcript,
    summary: summarized.summary,
    provenance: {
      extractor,
      transcriptSource: transcript?.source,
      ...summarized.provenance,
      ...cost,
    },
  });
  await deps.store.updateJob(input.jobId, {
    status: "completed",
    step: "save",
    articleId: article.id,
    reason: null,
    message: null,
    costUsd: jobCostUsd,
  });
  return { articleId: article.id, costUsd: jobCostUsd };
}
