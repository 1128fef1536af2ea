import type { Extracted, Transcript } from "../domain";
import type { PipelineDeps, Report, SummarizeResult } from "./types";

/** Stage 5: the structured summary of the article text and, when there is one, the transcript. */
export async function summarizeStage(
  input: { extracted: Extracted; transcript?: Transcript },
  deps: Pick<PipelineDeps, "summarizer">,
  report: Report,
): Promise<SummarizeResult> {
  const { extracted, transcript } = input;
  return deps.summarizer.summarize(
    { title: extracted.title, text: extracted.text, transcript, lang: extracted.lang, url: extracted.url },
    (done, total) => report(done, total, "part"),
  );
}
