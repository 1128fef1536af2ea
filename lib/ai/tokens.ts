import { countTokens as countCl100k } from "gpt-tokenizer/encoding/cl100k_base";
import { countTokens as countO200k } from "gpt-tokenizer/encoding/o200k_base";

export type Encoding = "o200k_base" | "cl100k_base";

/**
 * BPE cost grows with the square of a pre-token's length (a 50,000-letter "word" takes seconds), and fetched text is
 * hostile: runs of one character class are cut every RUN_CAP characters before counting. Ordinary words and URLs are
 * far shorter, so counts on real text are exact; a cut run is over-counted by at most one token per cut.
 */
const RUN_CAP = 64;
/** Segments handed to the tokenizer at once: long enough to be exact, short enough to cut anywhere. */
const SEGMENT_CHARS = 8_192;

const counters: Record<Encoding, (text: string) => number> = {
  o200k_base: countO200k,
  cl100k_base: countCl100k,
};

const isSpace = (code: number) => code === 32 || (code >= 9 && code <= 13) || code === 0xa0 || code >= 0x2000;

/** Cut points: before a space that follows a non-space (where BPE pre-tokenizers cut anyway), or inside a long run. */
function* segments(text: string): Generator<string> {
  let start = 0;
  let run = 0;
  let lastSpace = false;
  let lastBoundary = -1;
  for (let i = 0; i < text.length; i++) {
    const space = isSpace(text.charCodeAt(i));
    run = space === lastSpace ? run + 1 : 1;
    if (space && !lastSpace) lastBoundary = i;
    lastSpace = space;
    if (run > RUN_CAP) {
      yield text.slice(start, i);
      start = i;
      run = 1;
      lastBoundary = -1;
    } else if (i - start >= SEGMENT_CHARS && lastBoundary > start) {
      yield text.slice(start, lastBoundary);
      start = lastBoundary;
      lastBoundary = -1;
    }
  }
  if (start < text.length) yield text.slice(start);
}

/** Tokens in `text` for an encoding; linear in the text's length whatever it contains. */
export function countTokens(text: string, encoding: Encoding = "o200k_base"): number {
  const count = counters[encoding];
  let total = 0;
  for (const segment of segments(text)) total += count(segment);
  return total;
}

/**
 * Splits text into parts of at most `maxTokens` each (as counted here), cutting at paragraph ends, else sentence
 * ends, else spaces, so no sentence is split unless one sentence alone is longer than a part. Parts are evened out:
 * n parts of about total/n tokens rather than full parts and a small tail.
 */
export function splitByTokens(text: string, maxTokens: number, encoding: Encoding = "o200k_base"): string[] {
  const total = countTokens(text, encoding);
  if (total <= maxTokens) return text.trim() ? [text.trim()] : [];
  const target = Math.ceil(total / Math.ceil(total / maxTokens));
  // Units are paragraphs, then sentences within paragraphs that are too long, then words.
  const units: { text: string; tokens: number }[] = [];
  for (const paragraph of text.split(/\n{2,}/)) {
    if (!paragraph.trim()) continue;
    const tokens = countTokens(paragraph, encoding);
    if (tokens <= target) {
      units.push({ text: paragraph.trim(), tokens });
      continue;
    }
    for (const sentence of paragraph.split(/(?<=[.!?。！？])\s+|\n/)) {
      const sentenceTokens = countTokens(sentence, encoding);
      if (sentenceTokens <= target) {
        if (sentence.trim()) units.push({ text: sentence.trim(), tokens: sentenceTokens });
        continue;
      }
      // Counted word by word (never the growing piece again): linear, over-counting by at most a token a word.
      let piece = "";
      let pieceTokens = 0;
      for (const word of sentence.split(/(?<=\s)/).flatMap((w) => slices(w, Math.max(1, Math.floor(target / 3))))) {
        const wordTokens = countTokens(word, encoding);
        if (pieceTokens + wordTokens > target && piece) {
          units.push({ text: piece.trim(), tokens: pieceTokens });
          piece = "";
          pieceTokens = 0;
        }
        piece += word;
        pieceTokens += wordTokens;
      }
      if (piece.trim()) units.push({ text: piece.trim(), tokens: pieceTokens });
    }
  }
  const parts: string[] = [];
  let current: string[] = [];
  let currentTokens = 0;
  for (const unit of units) {
    // +2 tokens for the joining blank line, so a part never exceeds the budget once joined.
    if (current.length && currentTokens + unit.tokens + 2 > target) {
      parts.push(current.join("\n\n"));
      current = [];
      currentTokens = 0;
    }
    current.push(unit.text);
    currentTokens += unit.tokens + 2;
  }
  if (current.length) parts.push(current.join("\n\n"));
  return parts;
}

/** A "word" longer than a part (no spaces for pages on end) in pieces; a character is at most 3 tokens. */
function slices(word: string, size: number): string[] {
  if (word.length <= size) return [word];
  const out: string[] = [];
  for (let i = 0; i < word.length; i += size) out.push(word.slice(i, i + size));
  return out;
}

/** The first `maxTokens` tokens' worth of `text`, cut at a line or sentence end when one is near. */
export function truncateToTokens(text: string, maxTokens: number, encoding: Encoding = "o200k_base"): string {
  if (countTokens(text, encoding) <= maxTokens) return text;
  const [head = ""] = splitByTokens(text, maxTokens, encoding);
  return countTokens(head, encoding) <= maxTokens ? head : head.slice(0, maxTokens * 2);
}
