import { resolveLanguage } from "../ai/language";
import { bodyOf, summarizeInProcess } from "../ai/openai-summarizer";
import type { Extracted, Transcript } from "../domain";
import type { PipelineDeps, Report, SummarizeInput, SummarizeResult } from "./types";

/** What the summarizer is given: the text, the transcript, and the language to write in (job, page, or detected). */
export function summarizeInput(
  extracted: Extracted,
  transcript: Transcript | undefined,
  jobLang?: string | null,
): { input: SummarizeInput; langSource?: "job" | "page" | "detected" } {
  const language = resolveLanguage({
    job: jobLang,
    page: extracted.lang,
    text: bodyOf({ text: extracted.text, transcript }),
  });
  const duration = extracted.media.find((m) => m.durationSec)?.durationSec ?? null;
  return {
    input: {
      title: extracted.title,
      text: extracted.text,
      transcript,
      lang: language.lang,
      url: extracted.url,
      durationSec: duration,
    },
    langSource: language.source,
  };
}

/** Stage 5: the structured summary of the article text and, when there is one, the transcript. */
export async function summarizeStage(
  input: { extracted: Extracted; transcript?: Transcript; lang?: string | null },
  deps: Pick<PipelineDeps, "summarizer">,
  report: Report,
): Promise<SummarizeResult> {
  const { input: summaryInput, langSource } = summarizeInput(input.extracted, input.transcript, input.lang);
  report(0, 1, "call");
  const result = await summarizeInProcess(deps.summarizer, summaryInput);
  return { ...result, provenance: { ...result.provenance, ...(langSource ? { langSource } : {}) } };
}
