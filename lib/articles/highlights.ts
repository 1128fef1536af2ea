import type { Article, Highlight } from "../domain";

/** Where a quote occurs in an article: its text first, then its transcript (with the time it starts at). */
export interface QuoteLocation {
  source: Highlight["source"];
  offset: number;
  startSec: number | null;
}

const SPACE = /\s/;

/** Text rendered in pieces (an article's text nodes, a transcript's paragraphs), or one piece for stored text. */
export interface TextChunk {
  text: string;
  /** A block boundary or line break lies before this chunk: it reads as whitespace even when no space is there. */
  breakBefore?: boolean;
}

/**
 * The chunks joined with every run of whitespace collapsed to one space, and for each character of the result its
 * index in the chunks joined as they are: a selection in the browser joins blocks with other whitespace than the
 * stored text does. Leading and trailing whitespace is dropped, so no match of a (trimmed) quote starts on a space.
 */
export function collapseWhitespace(chunks: readonly TextChunk[]): { text: string; origin: number[] } {
  let text = "";
  const origin: number[] = [];
  let pendingSpace = false;
  let base = 0;
  for (const chunk of chunks) {
    if (chunk.breakBefore && text.length > 0) pendingSpace = true;
    for (let i = 0; i < chunk.text.length; i++) {
      const ch = chunk.text[i] as string;
      if (SPACE.test(ch)) {
        pendingSpace = text.length > 0;
        continue;
      }
      if (pendingSpace) {
        text += " ";
        origin.push(base + i);
        pendingSpace = false;
      }
      text += ch;
      origin.push(base + i);
    }
    base += chunk.text.length;
  }
  return { text, origin };
}

const collapse = (text: string) => collapseWhitespace([{ text }]);

/** The quote as it will be stored and matched: trimmed, whitespace collapsed. */
export const normalizeQuote = (quote: string): string => collapse(quote).text;

/** Index in `text` of the quote (whitespace-insensitive), or -1. */
function find(text: string, quote: string): number {
  const collapsed = collapse(text);
  const at = collapsed.text.indexOf(quote);
  return at < 0 ? -1 : (collapsed.origin[at] ?? -1);
}

/**
 * Finds a quote verbatim (up to whitespace) in the article's text or transcript; null when it occurs in neither.
 * A transcript with segments gives the start of the segment the quote begins in.
 */
export function locateQuote(article: Pick<Article, "text" | "transcript">, rawQuote: string): QuoteLocation | null {
  const quote = normalizeQuote(rawQuote);
  if (!quote) return null;
  const inText = find(article.text, quote);
  if (inText >= 0) return { source: "text", offset: inText, startSec: null };
  const transcript = article.transcript;
  if (!transcript) return null;
  const segments = transcript.segments ?? [];
  if (segments.length > 0) {
    // The segments joined as the page shows them; each segment's start offset maps a match back to its time.
    let joined = "";
    const starts: number[] = [];
    for (const segment of segments) {
      if (joined) joined += " ";
      starts.push(joined.length);
      joined += segment.text;
    }
    const at = find(joined, quote);
    if (at >= 0) {
      let index = 0;
      while (index + 1 < starts.length && (starts[index + 1] as number) <= at) index++;
      return { source: "transcript", offset: at, startSec: segments[index]?.start ?? null };
    }
  }
  const inTranscript = find(transcript.text, quote);
  return inTranscript >= 0 ? { source: "transcript", offset: inTranscript, startSec: null } : null;
}
