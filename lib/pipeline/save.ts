import type { Extracted, Transcript } from "../domain";
import type { PipelineDeps, SummarizeResult } from "./types";

export interface SaveInput {
  jobId: string;
  extracted: Extracted;
  transcript?: Transcript;
  summarized: SummarizeResult;
}

/** Stage 6: the article (upserted by canonical URL, earlier summaries kept as versions) and the job's outcome. */
export async function saveStage(input: SaveInput, deps: Pick<PipelineDeps, "store">): Promise<{ articleId: string }> {
  const { extracted, transcript, summarized } = input;
  const { extractor, ...content } = extracted;
  const article = await deps.store.upsertArticle({
    ...content,
    transcript,
    summary: summarized.summary,
    provenance: {
      extractor,
      transcriptSource: transcript?.source,
      ...summarized.provenance,
    },
  });
  await deps.store.updateJob(input.jobId, {
    status: "completed",
    step: "save",
    articleId: article.id,
    reason: null,
    message: null,
    costUsd: summarized.provenance.costUsd,
  });
  return { articleId: article.id };
}
