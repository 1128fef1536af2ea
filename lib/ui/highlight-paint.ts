import { collapseWhitespace, normalizeQuote, type TextChunk } from "../articles/highlights";

export type { TextChunk };

/**
 * Where highlights fall in text rendered as several pieces (the text nodes of an article's HTML, the paragraphs of a
 * transcript), found with the whitespace collapse the server checks a quote with (`lib/articles/highlights.ts`).
 * Pure, so the browser's DOM walk and React's transcript rendering share it and it is tested without a DOM.
 */

export interface QuoteToPaint {
  id: string;
  quote: string;
}

/** A run of one chunk covered by the same highlights. */
export interface Piece {
  chunk: number;
  start: number;
  end: number;
  /** Every highlight covering this run, in the order given. */
  ids: string[];
  /** The highlights an occurrence of which begins here (where the keyboard stops and a list entry jumps to). */
  starts: string[];
}

/** A quote of a word or two found hundreds of times paints its first occurrences only. */
export const MAX_OCCURRENCES = 50;

/**
 * Every occurrence of each highlight's quote (up to `MAX_OCCURRENCES`), split into runs that one mark can wrap: a run
 * never crosses a chunk, and overlapping highlights split runs where one begins or ends. Runs come in text order.
 */
export function paintPieces(chunks: readonly TextChunk[], highlights: readonly QuoteToPaint[]): Piece[] {
  const { text, origin } = collapseWhitespace(chunks);
  // Offsets in the chunks joined as they are: [start, end) of each occurrence.
  const ranges: { id: string; start: number; end: number }[] = [];
  for (const highlight of highlights) {
    const quote = normalizeQuote(highlight.quote);
    if (!quote) continue;
    let found = 0;
    for (
      let at = text.indexOf(quote);
      at >= 0 && found < MAX_OCCURRENCES;
      at = text.indexOf(quote, at + quote.length)
    ) {
      ranges.push({
        id: highlight.id,
        start: origin[at] as number,
        end: (origin[at + quote.length - 1] as number) + 1,
      });
      found++;
    }
  }
  if (ranges.length === 0) return [];

  const order = new Map(highlights.map((h, i) => [h.id, i]));
  const bounds = [...new Set(ranges.flatMap((r) => [r.start, r.end]))].sort((a, b) => a - b);
  const chunkStarts: number[] = [];
  let total = 0;
  for (const chunk of chunks) {
    chunkStarts.push(total);
    total += chunk.text.length;
  }
  // Chunk edges split runs too.
  const cuts = [...new Set([...bounds, ...chunkStarts, total])].sort((a, b) => a - b);

  const startingAt = new Map<number, string[]>();
  const endingAt = new Map<number, string[]>();
  for (const r of ranges) {
    startingAt.set(r.start, [...(startingAt.get(r.start) ?? []), r.id]);
    endingAt.set(r.end, [...(endingAt.get(r.end) ?? []), r.id]);
  }
  const byOrder = (a: string, b: string) => (order.get(a) ?? 0) - (order.get(b) ?? 0);
  // One sweep over the cuts with the highlights open at each (a count per id: occurrences may touch).
  const open = new Map<string, number>();
  const pieces: Piece[] = [];
  let chunk = 0;
  for (let i = 0; i + 1 < cuts.length; i++) {
    const start = cuts[i] as number;
    const end = cuts[i + 1] as number;
    for (const id of endingAt.get(start) ?? []) {
      const left = (open.get(id) ?? 1) - 1;
      if (left > 0) open.set(id, left);
      else open.delete(id);
    }
    const starting = startingAt.get(start) ?? [];
    for (const id of starting) open.set(id, (open.get(id) ?? 0) + 1);
    if (open.size === 0) continue;
    while (chunk + 1 < chunkStarts.length && (chunkStarts[chunk + 1] as number) <= start) chunk++;
    const offset = chunkStarts[chunk] as number;
    pieces.push({
      chunk,
      start: start - offset,
      end: end - offset,
      ids: [...open.keys()].sort(byOrder),
      starts: [...new Set(starting)].sort(byOrder),
    });
  }
  return pieces;
}

/** One run of a transcript paragraph: the highlights over it and whether the in-page search matched it. */
export interface Run {
  start: number;
  end: number;
  ids: string[];
  starts: string[];
  hit: boolean;
}

/**
 * A paragraph of `length` characters cut where a highlight piece or a search match begins or ends, so that React can
 * render highlights and search matches together (a search match inside a highlight, or across two).
 */
export function layerRuns(
  length: number,
  pieces: readonly Pick<Piece, "start" | "end" | "ids" | "starts">[],
  matches: readonly [number, number][],
): Run[] {
  const cuts = [
    ...new Set([0, length, ...pieces.flatMap((p) => [p.start, p.end]), ...matches.flat()].filter((n) => n <= length)),
  ].sort((a, b) => a - b);
  const runs: Run[] = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    const start = cuts[i] as number;
    const end = cuts[i + 1] as number;
    const piece = pieces.find((p) => p.start <= start && p.end >= end);
    runs.push({
      start,
      end,
      ids: piece?.ids ?? [],
      starts: piece && piece.start === start ? piece.starts : [],
      hit: matches.some(([s, e]) => s <= start && e >= end),
    });
  }
  return runs;
}
