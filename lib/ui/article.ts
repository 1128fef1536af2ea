import type { Article, TranscriptSegment } from "../domain";

/** Pure helpers for the article page (tested). */

const SEPARATORS = [" | ", " – ", " — ", " - ", " :: ", " · "];

/**
 * "How Towns Rebuild | The Civic Ledger" → "How Towns Rebuild" when the suffix (or prefix) is the site's name,
 * or a short trailing segment that looks like one; the headline itself is never emptied.
 */
export function cleanHeadline(title: string, siteName: string | null, url?: string): string {
  const trimmed = title.trim();
  const names = [siteName, url ? hostLabel(url) : null]
    .filter((n): n is string => Boolean(n))
    .map((n) => n.toLowerCase());
  for (const sep of SEPARATORS) {
    const at = trimmed.lastIndexOf(sep);
    if (at > 0) {
      const head = trimmed.slice(0, at).trim();
      const tail = trimmed
        .slice(at + sep.length)
        .trim()
        .toLowerCase();
      if (head.length >= 12 && names.some((n) => tail === n || tail.replace(/\s+/g, "") === n.replace(/\s+/g, ""))) {
        return head;
      }
    }
    const first = trimmed.indexOf(sep);
    if (first > 0) {
      const lead = trimmed.slice(0, first).trim().toLowerCase();
      const rest = trimmed.slice(first + sep.length).trim();
      if (rest.length >= 12 && names.includes(lead)) return rest;
    }
  }
  return trimmed;
}

function hostLabel(url: string): string | null {
  try {
    const host = new URL(url).hostname.replace(/^www\./, "");
    return host.split(".").slice(0, -1).join(".") || host;
  } catch {
    return null;
  }
}

const WORDS_PER_MINUTE = 230;

/** "6 min read" from the text, or "42 min listen" from the media's duration or the transcript's last timestamp. */
export function readingOrListening(article: Pick<Article, "text" | "media" | "transcript">): string | null {
  const duration =
    article.media.find((m) => m.durationSec && m.durationSec > 0)?.durationSec ??
    article.transcript?.segments?.at(-1)?.end;
  if (article.transcript && duration && duration > 0) return `${Math.max(1, Math.round(duration / 60))} min listen`;
  const words = countWords(article.text);
  if (words === 0) return null;
  return `${Math.max(1, Math.round(words / WORDS_PER_MINUTE))} min read`;
}

function countWords(text: string): number {
  let count = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const space = text.charCodeAt(i) <= 32;
    if (!space && !inWord) count += 1;
    inWord = !space;
  }
  return count;
}

/** 75 → "1:15", 3725 → "1:02:05". */
export function formatTimestamp(seconds: number): string {
  const total = Math.max(0, Math.floor(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, "0");
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}

export interface TranscriptParagraph {
  start: number;
  text: string;
  /** Who speaks, when the transcript is diarized. */
  speaker?: string;
}

/**
 * Segments joined into readable paragraphs: a new one when the speaker changes, after a pause, a sentence end past
 * ~45 s, or ~90 s at most.
 */
export function paragraphsOf(segments: readonly TranscriptSegment[]): TranscriptParagraph[] {
  const out: TranscriptParagraph[] = [];
  let current: { start: number; parts: string[]; lastEnd: number; speaker?: string } | null = null;
  const close = (c: NonNullable<typeof current>) =>
    out.push({ start: c.start, text: c.parts.join(" "), ...(c.speaker ? { speaker: c.speaker } : {}) });
  for (const segment of segments) {
    const text = segment.text.trim();
    if (!text) continue;
    if (current) {
      const length = segment.start - current.start;
      const pause = segment.start - current.lastEnd;
      const sentenceEnded = /[.!?…]["”’)]?$/.test(current.parts.at(-1) ?? "");
      if (segment.speaker !== current.speaker || pause > 2.5 || length > 90 || (length > 45 && sentenceEnded)) {
        close(current);
        current = null;
      }
    }
    if (!current)
      current = {
        start: segment.start,
        parts: [],
        lastEnd: segment.end,
        ...(segment.speaker ? { speaker: segment.speaker } : {}),
      };
    current.parts.push(text);
    current.lastEnd = segment.end;
  }
  if (current) close(current);
  return out;
}

/** Case-insensitive matches of `query` in `text` as [start, end) pairs; linear, capped. */
export function findMatches(text: string, query: string, cap = 500): [number, number][] {
  const needle = query.trim().toLowerCase();
  if (needle.length < 2) return [];
  const haystack = text.toLowerCase();
  const out: [number, number][] = [];
  for (
    let at = haystack.indexOf(needle);
    at !== -1 && out.length < cap;
    at = haystack.indexOf(needle, at + needle.length)
  ) {
    out.push([at, at + needle.length]);
  }
  return out;
}

/** The YouTube video id of a watch/short/embed URL, for the privacy-enhanced embed. */
export function youtubeId(url: string): string | null {
  try {
    const u = new URL(url);
    const host = u.hostname.replace(/^(www|m)\./, "");
    let id: string | null = null;
    if (host === "youtu.be") id = u.pathname.slice(1);
    else if (host === "youtube.com" || host === "youtube-nocookie.com") {
      id = u.searchParams.get("v") ?? /^\/(?:shorts|embed|live)\/([^/]+)/.exec(u.pathname)?.[1] ?? null;
    }
    return id && /^[\w-]{6,20}$/.test(id) ? id : null;
  } catch {
    return null;
  }
}
