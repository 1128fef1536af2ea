import type { Transcript, TranscriptSegment } from "../domain";
import { AppError } from "../errors";
import type { SttCapabilities } from "../ports";

/**
 * Long media is transcribed in time windows, each its own durable step. This module is the pure part: which windows
 * (under the upload size limit and the model's duration limit), and how their transcripts join on the episode's
 * timeline. No I/O here.
 */

export interface ChunkingConfig {
  /** Target window length in seconds (default 600). */
  chunkSeconds: number;
  /** Seconds each window also reads before its planned start, so a word cut at a boundary is heard whole once. */
  overlapSeconds: number;
  /** Longest media accepted, in seconds: beyond it `too_large` before any upload. */
  maxSeconds: number;
  /** Most windows one media may be cut into. */
  maxChunks: number;
  /** Windows transcribed at once within one run. */
  concurrency: number;
  /** The most one transcription request may carry (OpenAI: 25 MB). */
  maxUploadBytes: number;
}

export const DEFAULT_CHUNKING: ChunkingConfig = {
  chunkSeconds: 600,
  overlapSeconds: 2,
  maxSeconds: 4 * 3600,
  maxChunks: 48,
  concurrency: 4,
  maxUploadBytes: 25 * 1024 * 1024,
};

/**
 * A model that answers without timestamps gets windows no longer than this (overlap included): each window becomes
 * one segment at its real cut start, so the timeline stays fine enough for chapters. STT is priced per audio minute,
 * so shorter windows cost the same.
 */
export const TIMELESS_WINDOW_SECONDS = 120;

export interface MediaFacts {
  /** Bytes of the whole file. */
  size: number;
  /** Seconds, from the container's headers. */
  duration: number;
  container: string;
  codec: string;
}

export interface ChunkWindow {
  index: number;
  /** Planned start on the episode timeline: this window owns [start, end). */
  start: number;
  end: number;
  /** Where the cut begins: `start` minus the overlap (0 for the first window). */
  readStart: number;
}

/** Room for container overhead and bitrate swings within a file (the average can hide a denser stretch). */
const SIZE_HEADROOM = 0.8;
/** Seconds kept below a model's hard duration cap (a cut begins at the key packet before its start). */
const DURATION_HEADROOM = 5;

/**
 * Windows of whole seconds, equal in length, each under the size and duration limits of the model (its row of the
 * capability table), covering the media once — or, `from` a window's end, the rest of it (numbered on from `index`).
 */
export function planWindows(
  facts: MediaFacts,
  model: SttCapabilities,
  config: ChunkingConfig,
  from: { start: number; index: number } = { start: 0, index: 0 },
): ChunkWindow[] {
  if (!(facts.duration > 0) || !Number.isFinite(facts.duration)) {
    throw new AppError("media_unreadable", "The media's duration could not be read from its headers");
  }
  if (facts.duration > config.maxSeconds) {
    throw new AppError(
      "too_large",
      `The media lasts ${formatClock(facts.duration)}, over the ${formatClock(config.maxSeconds)} this deployment transcribes`,
    );
  }
  const overlap = Math.max(0, config.overlapSeconds);
  const bytesPerSecond = facts.size / facts.duration;
  const maxUpload = Math.min(config.maxUploadBytes, model.maxUploadBytes);
  const bySize = Math.floor((maxUpload * SIZE_HEADROOM) / bytesPerSecond) - overlap;
  const byModel = (model.maxSeconds ?? Number.POSITIVE_INFINITY) - DURATION_HEADROOM - overlap;
  const byTimeline = model.timestamps ? Number.POSITIVE_INFINITY : TIMELESS_WINDOW_SECONDS - overlap;
  const longest = Math.min(config.chunkSeconds, bySize, byModel, byTimeline);
  if (longest < 10) {
    throw new AppError("too_large", "The media is too dense to cut into windows the transcription service accepts");
  }
  // Under a second past a whole window (encoder padding) joins the last window; the headroom above covers it.
  const span = facts.duration - from.start;
  const count = Math.max(1, Math.ceil((span - 1) / longest));
  // Short timeline windows must not make long media refused: their count scales with the longest media accepted.
  const maxChunks =
    (model.timestamps ? config.maxChunks : Math.max(config.maxChunks, Math.ceil(config.maxSeconds / longest))) -
    from.index;
  if (count > maxChunks) {
    throw new AppError(
      "too_large",
      `The media would need ${count} transcription chunks, over the limit of ${maxChunks}`,
    );
  }
  const length = Math.ceil((span - 1) / count);
  return Array.from({ length: count }, (_, i) => {
    const start = from.start + i * length;
    const end = Math.min(facts.duration, start + length);
    return {
      index: from.index + i,
      start,
      end: i === count - 1 ? Math.ceil(facts.duration) : end,
      readStart: Math.max(0, start - overlap),
    };
  });
}

/** A finished window's transcript, its segments already on the episode timeline. */
export interface ChunkTranscript {
  window: ChunkWindow;
  transcript: Transcript;
}

const normalizeWord = (word: string) => word.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "");
const MAX_OVERLAP_WORDS = 24;

/**
 * Joins windows in order. Each segment belongs to the window that owns its midpoint; where a kept segment of one
 * window runs into the next window's first kept segment, the repeated words (the longest run of the previous
 * segment's last words that begins the next one) are dropped once.
 */
export function stitchChunks(chunks: readonly ChunkTranscript[], source: string, model?: string): Transcript {
  const segments: TranscriptSegment[] = [];
  const texts: string[] = [];
  for (const { window, transcript } of [...chunks].sort((a, b) => a.window.index - b.window.index)) {
    if (!transcript.segments?.length) {
      if (transcript.text.trim()) texts.push(transcript.text.trim());
      continue;
    }
    const owned = transcript.segments.filter((s) => {
      const mid = (s.start + s.end) / 2;
      return mid >= window.start && (mid < window.end || window.index === chunks.length - 1);
    });
    const previous = segments.at(-1);
    const first = owned[0];
    if (previous && first && first.start < previous.end) {
      const trimmed = dropRepeatedWords(previous.text, first.text);
      if (trimmed !== first.text) {
        if (trimmed) owned[0] = { ...first, start: Math.max(first.start, previous.end), text: trimmed };
        else owned.shift();
      }
    }
    segments.push(...owned);
    texts.push(...owned.map((s) => s.text.trim()).filter(Boolean));
  }
  return {
    source,
    ...(model ? { model } : {}),
    text: texts.join(" "),
    ...(segments.length ? { segments } : {}),
  };
}

/** `next` without the words it repeats from the end of `previous` (compared case- and punctuation-blind). */
export function dropRepeatedWords(previous: string, next: string): string {
  const tail = previous.split(/\s+/).filter(Boolean).slice(-MAX_OVERLAP_WORDS).map(normalizeWord);
  const head = next.split(/\s+/).filter(Boolean);
  const headNorm = head.slice(0, MAX_OVERLAP_WORDS).map(normalizeWord);
  for (let k = Math.min(tail.length, headNorm.length); k > 0; k--) {
    let same = true;
    for (let i = 0; i < k && same; i++) same = tail[tail.length - k + i] === headNorm[i] && headNorm[i] !== "";
    if (same) return head.slice(k).join(" ");
  }
  return next;
}

export function formatClock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, "0");
  return h ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}
