import { AppError } from "../errors";
import type { SummarizeInput, SummarizeResult, Summarizer, SummaryPlan } from "../ports";
import { dependsOnContext, isWeakTag, wordKey } from "./extractive-language";
import { PROMPT_VERSION } from "./prompts";
import { MAX_KEY_POINTS, MIN_KEY_POINTS, normalizeTags } from "./verify";

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

/** Caps the work on very long inputs: a book need not be read in full to be summarized extractively. */
const MAX_CHARS = 400_000;
const MAX_SENTENCES = 1_500;
/** A word in more sentences than this links everything to everything: it carries no ranking signal. */
const MAX_WORD_SPREAD = 100;
const DAMPING = 0.85;
const ITERATIONS = 60;
/** Two picks sharing more than this share of their words say the same thing. */
const REDUNDANT = 0.5;
const MARKDOWN_SENTENCES = 6;

/**
 * TextRank (Mihalcea & Tarau, 2004): sentences are nodes, edges weigh word overlap normalised by sentence lengths,
 * and PageRank finds the sentences the rest of the text "points at". The random jump is biased towards the
 * opening (as in PositionRank), where articles state their subject. Sparse: pairs come from shared words only.
 */
export function rankSentences(tokens: string[][]): number[] {
  const n = tokens.length;
  const postings = new Map<string, number[]>();
  tokens.forEach((words, i) => {
    for (const w of new Set(words)) {
      const list = postings.get(w);
      if (list) list.push(i);
      else postings.set(w, [i]);
    }
  });
  const overlap: Map<number, number>[] = Array.from({ length: n }, () => new Map());
  for (const list of postings.values()) {
    if (list.length < 2 || list.length > MAX_WORD_SPREAD) continue;
    for (let a = 0; a < list.length; a++)
      for (let b = a + 1; b < list.length; b++) {
        const i = list[a] as number;
        const j = list[b] as number;
        overlap[i]?.set(j, (overlap[i]?.get(j) ?? 0) + 1);
        overlap[j]?.set(i, (overlap[j]?.get(i) ?? 0) + 1);
      }
  }
  const sizes = tokens.map((words) => new Set(words).size);
  const edges = overlap.map((row, i) =>
    [...row.entries()].map(([j, shared]) => ({
      j,
      w: shared / (Math.log(1 + (sizes[i] ?? 0)) + Math.log(1 + (sizes[j] ?? 0)) || 1),
    })),
  );
  const outWeight = edges.map((row) => row.reduce((sum, e) => sum + e.w, 0));
  const prior = tokens.map((_, i) => 1 / Math.sqrt(i + 1));
  const priorSum = prior.reduce((a, b) => a + b, 0);
  const jump = prior.map((p) => p / priorSum);
  let score = jump.slice();
  for (let iteration = 0; iteration < ITERATIONS; iteration++) {
    const next = jump.map((p) => (1 - DAMPING) * p);
    let dangling = 0;
    for (let i = 0; i < n; i++) {
      const out = outWeight[i] ?? 0;
      const s = score[i] ?? 0;
      if (out === 0) {
        dangling += s;
        continue;
      }
      for (const { j, w } of edges[i] ?? []) next[j] = (next[j] ?? 0) + (DAMPING * s * w) / out;
    }
    // Sentences with no links hand their rank back through the biased jump, so ranks keep summing to one.
    for (let i = 0; i < n; i++) next[i] = (next[i] ?? 0) + DAMPING * dangling * (jump[i] ?? 0);
    score = next;
  }
  return score;
}

const MAX_EXTRACTIVE_TAGS = 5;

/**
 * Tags: the strongest terms by TF-IDF over sentences (title words count double), one per lemma — a word's forms
 * (train, trains, training) add up under one key and show as their most frequent form — and never a word that
 * names no topic in the text's language (morning, said, people).
 */
export function extractiveTags(tokens: string[][], title: string, lang: string | null | undefined): string[] {
  interface Term {
    forms: Map<string, number>;
    tf: number;
    sentences: number;
    inTitle: boolean;
  }
  const titleWords = new Set(tokenize(title));
  const terms = new Map<string, Term>();
  tokens.forEach((words) => {
    const seen = new Set<string>();
    for (const word of words) {
      if (/^\d+$/.test(word) || isWeakTag(word, lang)) continue;
      const key = wordKey(word, lang);
      let term = terms.get(key);
      if (!term) {
        term = { forms: new Map(), tf: 0, sentences: 0, inTitle: false };
        terms.set(key, term);
      }
      term.forms.set(word, (term.forms.get(word) ?? 0) + 1);
      term.tf++;
      term.inTitle ||= titleWords.has(word);
      if (!seen.has(key)) {
        seen.add(key);
        term.sentences++;
      }
    }
  });
  const idf = (term: Term) => Math.log(1 + tokens.length / Math.max(1, term.sentences));
  const shown = (term: Term) =>
    [...term.forms.entries()].sort(
      (a, b) => b[1] - a[1] || a[0].length - b[0].length || (a[0] < b[0] ? -1 : 1),
    )[0]?.[0] ?? "";
  return normalizeTags(
    [...terms.values()]
      .map((term) => [shown(term), term.tf * idf(term) * (term.inTitle ? 2 : 1)] as const)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, MAX_EXTRACTIVE_TAGS)
      .map(([w]) => w),
  ).kept;
}

function similarity(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let shared = 0;
  for (const w of a) if (b.has(w)) shared++;
  return shared / Math.min(a.size, b.size);
}

/**
 * The offline summarizer (no API key): TextRank over the text's sentences. Deterministic and language-agnostic.
 * The TL;DR, the key points and the Markdown body are disjoint sets of source sentences, none saying the same thing
 * twice; tags are the strongest terms. Same shape as the LLM path; labelled extractive in the Markdown and provenance.
 */
export function createExtractiveSummarizer(): Summarizer {
  const unsupported = () => {
    throw new AppError("internal", "The extractive summarizer has no map-reduce path");
  };
  return {
    model: "extractive",
    plan: (): SummaryPlan => ({
      path: "extractive",
      model: "extractive",
      parts: 0,
      partTokens: 0,
      notesTokens: 0,
      contentTokens: 0,
      promptTokens: 0,
    }),
    summarizePart: unsupported,
    combine: unsupported,
    async summarize(input: SummarizeInput): Promise<SummarizeResult> {
      const body = (input.transcript ? `${input.text}\n${input.transcript.text}` : input.text).slice(0, MAX_CHARS);
      const sentences = splitSentences(body).slice(0, MAX_SENTENCES);
      if (sentences.length === 0) {
        throw new AppError("summarization_failed", "There is no text to summarize", { retriable: false });
      }
      const tokens = sentences.map(tokenize);
      const sets = tokens.map((words) => new Set(words));
      const scores = rankSentences(tokens);
      const order = sentences.map((_, i) => i).sort((a, b) => (scores[b] ?? 0) - (scores[a] ?? 0) || a - b);

      // Best first, skipping a sentence already picked (verbatim repeats happen in transcripts) or one that repeats a pick.
      const picked: number[] = [];
      const seenText = new Set<string>();
      for (const i of order) {
        const text = sentences[i] ?? "";
        if (seenText.has(text)) continue;
        if (picked.some((p) => similarity(sets[p] ?? new Set(), sets[i] ?? new Set()) > REDUNDANT)) continue;
        seenText.add(text);
        picked.push(i);
        if (picked.length >= 1 + MAX_KEY_POINTS + MARKDOWN_SENTENCES) break;
      }
      // The TL;DR stands alone: the best sentence that does not open by pointing back ("Its gamble…", "However, …").
      const standsAlone = (i: number) => !dependsOnContext(sentences[i] ?? "", input.lang);
      const tldrIndex = order.find(standsAlone) ?? picked[0] ?? 0;
      const rest = picked.filter((i) => i !== tldrIndex);
      const keyCount = Math.max(
        Math.min(MIN_KEY_POINTS, rest.length),
        Math.min(MAX_KEY_POINTS, Math.round(Math.sqrt(sentences.length))),
      );
      const keyIndexes = rest.slice(0, keyCount).sort((a, b) => a - b);
      const bodyIndexes = rest.slice(keyCount).sort((a, b) => a - b);
      const tags = extractiveTags(tokens, input.title, input.lang);

      const markdown = [
        // One sentence a line: one Markdown paragraph, and each sentence stays recognisable as the source's.
        ...(bodyIndexes.length ? ["## Summary", "", ...bodyIndexes.map((i) => sentences[i] ?? ""), ""] : []),
        "_Extractive summary: sentences selected from the text by TextRank, without an AI model._",
      ].join("\n");
      return {
        summary: {
          tldr: sentences[tldrIndex] ?? "",
          keyPoints: keyIndexes.map((i) => sentences[i] ?? ""),
          markdown,
          tags,
        },
        provenance: {
          model: "extractive",
          promptVersion: PROMPT_VERSION,
          path: "extractive",
          inputTokens: 0,
          outputTokens: 0,
          costUsd: 0,
          lang: input.lang,
          dropped: { quotes: 0, chapters: 0, tags: 0, keyPoints: 0 },
        },
      };
    },
  };
}
