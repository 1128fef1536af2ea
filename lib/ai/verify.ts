import type { DroppedCounts, Summary, TranscriptSegment } from "../domain";
import type { SummaryOutput } from "./schema";

export interface VerifySource {
  /** Everything the model was shown (article text and transcript text). */
  text: string;
  segments?: TranscriptSegment[];
  /** The media's duration when known; else the transcript's last segment end. */
  durationSec?: number | null;
}

export const MAX_TAGS = 8;
export const MAX_KEY_POINTS = 7;
export const MIN_KEY_POINTS = 3;
const MAX_QUOTES = 5;
/** A "quote" of one or two words proves nothing about faithfulness. */
const MIN_QUOTE_WORDS = 3;

/**
 * Quote matching ignores what typography and models change without changing the words: curly vs straight quote
 * marks and apostrophes, dash kinds, ellipsis characters, Unicode compatibility forms and runs of whitespace.
 * Case is kept: a quote must be verbatim. Linear in the text.
 */
export function normalizeForQuotes(text: string): string {
  return text
    .normalize("NFKC")
    .replace(/[\u2018\u2019\u201A\u201B\u2032\u02BC`´]/g, "'")
    .replace(/[\u201C\u201D\u201E\u201F\u2033«»„]/g, '"')
    .replace(/[\u2010-\u2015\u2212]/g, "-")
    .replace(/\u2026/g, "...")
    .replace(/\s+/g, " ")
    .trim();
}

/** The quote without the quotation marks a model tends to wrap it in. */
function stripWrapping(quote: string): string {
  return quote.replace(/^["'\s]+|["'\s]+$/g, "");
}

function verifyQuotes(quotes: string[], normalizedSource: string): { kept: string[]; dropped: number } {
  const kept: string[] = [];
  const seen = new Set<string>();
  for (const quote of quotes) {
    const needle = stripWrapping(normalizeForQuotes(quote));
    const words = needle.split(" ").filter(Boolean).length;
    if (words < MIN_QUOTE_WORDS || seen.has(needle) || !normalizedSource.includes(needle) || kept.length >= MAX_QUOTES)
      continue;
    seen.add(needle);
    kept.push(quote.trim().replace(/^["“”]+|["“”]+$/g, ""));
  }
  return { kept, dropped: quotes.length - kept.length };
}

/**
 * Who said each verified quote: only when the whole quote lies inside one segment that names its speaker (a quote
 * spanning two segments, or found only in the article's text, is nobody's).
 */
function attributeQuotes(quotes: string[], segments: readonly TranscriptSegment[] = []) {
  const spoken = segments.filter((s) => s.speaker).map((s) => ({ segment: s, text: normalizeForQuotes(s.text) }));
  const out: { quote: string; speaker: string; start: number }[] = [];
  if (spoken.length === 0) return out;
  for (const quote of quotes) {
    const needle = stripWrapping(normalizeForQuotes(quote));
    const home = spoken.find((s) => s.text.includes(needle));
    if (home?.segment.speaker) out.push({ quote, speaker: home.segment.speaker, start: home.segment.start });
  }
  return out;
}

/** Index of the segment whose start is nearest `t` (segments sorted by start). */
function nearestStart(starts: number[], t: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((starts[mid] ?? 0) < t) lo = mid + 1;
    else hi = mid;
  }
  const after = starts[lo] ?? 0;
  const before = starts[lo - 1];
  return before !== undefined && t - before <= after - t ? before : after;
}

/**
 * Chapters only where the source has timestamps: each start must lie inside the media, is snapped to the nearest
 * transcript segment start, and the list is put in time order with duplicates (two chapters snapped to one
 * segment) removed, so starts strictly increase.
 */
function verifyChapters(
  chapters: { start: number; title: string }[],
  source: VerifySource,
): { kept: { start: number; title: string }[]; dropped: number } {
  const segments = source.segments ?? [];
  if (segments.length === 0) return { kept: [], dropped: chapters.length };
  const starts = segments.map((s) => s.start).sort((a, b) => a - b);
  const duration = source.durationSec ?? segments.reduce((end, s) => Math.max(end, s.end), 0);
  const snapped = chapters
    .filter((c) => Number.isFinite(c.start) && c.start >= 0 && c.start < duration && c.title.trim())
    .map((c) => ({ start: nearestStart(starts, c.start), title: c.title.trim() }))
    .sort((a, b) => a.start - b.start);
  const kept: { start: number; title: string }[] = [];
  for (const chapter of snapped) {
    const last = kept.at(-1);
    if (!last || chapter.start > last.start) kept.push(chapter);
  }
  return { kept, dropped: chapters.length - kept.length };
}

export function normalizeTags(tags: string[]): { kept: string[]; dropped: number } {
  const kept: string[] = [];
  for (const tag of tags) {
    const clean = tag
      .normalize("NFKC")
      .toLowerCase()
      .replace(/^[#\s]+|\s+$/g, "")
      .replace(/\s+/g, " ");
    if (clean && clean.length <= 40 && !kept.includes(clean) && kept.length < MAX_TAGS) kept.push(clean);
  }
  return { kept, dropped: tags.length - kept.length };
}

function verifyKeyPoints(points: string[]): { kept: string[]; dropped: number } {
  const kept: string[] = [];
  const seen = new Set<string>();
  for (const point of points) {
    const key = normalizeForQuotes(point).toLowerCase();
    if (!key || seen.has(key) || kept.length >= MAX_KEY_POINTS) continue;
    seen.add(key);
    kept.push(point.trim());
  }
  return { kept, dropped: points.length - kept.length };
}

/** The model's answer, with everything that cannot be checked against the source removed and counted. */
export function verifySummary(
  output: SummaryOutput,
  source: VerifySource,
): { summary: Summary; dropped: DroppedCounts } {
  const quotes = verifyQuotes(output.quotes, normalizeForQuotes(source.text));
  const chapters = verifyChapters(output.chapters, source);
  const tags = normalizeTags(output.tags);
  const keyPoints = verifyKeyPoints(output.keyPoints);
  const quoteSpeakers = attributeQuotes(quotes.kept, source.segments);
  return {
    summary: {
      tldr: output.tldr.trim(),
      keyPoints: keyPoints.kept,
      markdown: output.markdown.trim(),
      tags: tags.kept,
      ...(chapters.kept.length ? { chapters: chapters.kept } : {}),
      ...(quotes.kept.length ? { quotes: quotes.kept } : {}),
      ...(quoteSpeakers.length ? { quoteSpeakers } : {}),
    },
    dropped: {
      quotes: quotes.dropped,
      chapters: chapters.dropped,
      tags: tags.dropped,
      keyPoints: keyPoints.dropped,
    },
  };
}
