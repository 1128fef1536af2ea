import { AppError } from "../errors";
import type { Summarizer, SummarizeInput, SummarizeResult } from "../pipeline/types";
import { PROMPT_VERSION } from "./prompts";

/** Common function words of a few languages; they say nothing about a document's topic. */
const STOPWORDS = new Set(
  `a an and are as at be been but by can could did do does for from had has have he her his how i if in into is it its
  just more most my no not of on or our out she so some such than that the their them then there these they this those
  to too up us was we were what when where which while who why will with would you your also about after all any because
  before being between both each few he'd here i'm it's new one only other over own same should through under until very
  said says like get got make made many much may might must even well back way le la les de des du un une et en est que qui
  pour pas sur au aux ce ces dans par plus ne se sa son ses il elle ils nous vous der die das und ist nicht ein eine zu den
  mit von sich des auf für im dem auch es an als el los las y en un una es por con para del se su al lo como más pero sus`.split(
    /\s+/,
  ),
);

const tokenize = (text: string): string[] =>
  (text.toLowerCase().match(/[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu) ?? []).filter((w) => w.length > 2 && !STOPWORDS.has(w));

/** Sentences, never across paragraph breaks (a byline line must not glue onto the first sentence). */
export function splitSentences(text: string): string[] {
  const segmenter = new Intl.Segmenter(undefined, { granularity: "sentence" });
  return text
    .split(/\n+/)
    .flatMap((paragraph) => [...segmenter.segment(paragraph.replace(/\s+/g, " "))].map((s) => s.segment.trim()))
    .filter((s) => s.length >= 25 && s.length <= 600);
}

/** Caps the work on very long inputs: ranking is quadratic-free but a book need not be read in full. */
const MAX_CHARS = 400_000;

/**
 * The offline summarizer (no API key): TF-IDF sentence ranking with a position prior. Deterministic, fast,
 * language-agnostic; key points are the best sentences in document order, tags the strongest terms.
 */
export function createExtractiveSummarizer(): Summarizer {
  return {
    model: "extractive",
    async summarize(input: SummarizeInput): Promise<SummarizeResult> {
      const body = (input.transcript ? `${input.text}\n${input.transcript.text}` : input.text).slice(0, MAX_CHARS);
      const sentences = splitSentences(body);
      if (sentences.length === 0) {
        throw new AppError("summarization_failed", "There is no text to summarize", { retriable: false });
      }
      const tokens = sentences.map(tokenize);
      const documentFrequency = new Map<string, number>();
      for (const words of tokens)
        for (const w of new Set(words)) documentFrequency.set(w, (documentFrequency.get(w) ?? 0) + 1);
      const termFrequency = new Map<string, number>();
      for (const words of tokens) for (const w of words) termFrequency.set(w, (termFrequency.get(w) ?? 0) + 1);
      const n = sentences.length;
      const idf = (w: string) => Math.log(1 + n / (documentFrequency.get(w) ?? 1));
      const titleWords = new Set(tokenize(input.title));

      const scored = sentences.map((sentence, i) => {
        const words = tokens[i] ?? [];
        const weight =
          words.reduce((sum, w) => sum + (termFrequency.get(w) ?? 0) * idf(w), 0) / Math.sqrt(words.length + 1);
        const titleBonus = words.filter((w) => titleWords.has(w)).length * 0.5;
        const position = 1 + 0.6 * (1 - i / n);
        return { i, sentence, score: (weight + titleBonus) * position };
      });
      const ranked = [...scored].sort((a, b) => b.score - a.score || a.i - b.i);
      const count = Math.max(1, Math.min(7, Math.round(Math.sqrt(n))));
      const keyPoints = ranked
        .slice(0, count)
        .sort((a, b) => a.i - b.i)
        .map((s) => s.sentence);
      const tldr =
        (scored[0] && scored[0].score >= (ranked[0]?.score ?? 0) * 0.6 ? scored[0] : ranked[0])?.sentence ?? "";
      const tags = [...termFrequency.entries()]
        .filter(([w]) => !/^\d+$/.test(w))
        .map(([w, tf]) => [w, tf * idf(w) * (titleWords.has(w) ? 2 : 1)] as const)
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
        .slice(0, 5)
        .map(([w]) => w);
      const markdown = [
        "## Key points",
        "",
        ...keyPoints.map((p) => `- ${p}`),
        "",
        "_Extractive summary: sentences selected from the text, without an AI model._",
      ].join("\n");
      return {
        summary: { tldr, keyPoints, markdown, tags },
        provenance: {
          model: "extractive",
          promptVersion: PROMPT_VERSION,
          path: "extractive",
          inputTokens: 0,
          outputTokens: 0,
          costUsd: 0,
        },
      };
    },
  };
}
