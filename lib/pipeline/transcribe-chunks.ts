import type { MediaItem, Transcript, TranscriptSegment } from "../domain";
import { AppError } from "../errors";
import type { Store } from "../store/store";
import type { PipelineDeps, Report } from "./types";

/** The part of the store a transcription needs: its cache of finished transcripts and parts. */
export type TranscriptCache = Pick<Store, "getTranscriptChunk" | "putTranscriptChunk">;

/**
 * Media longer than one transcription request allows (OpenAI: 25 MB), split without ffmpeg: an MP3 is a run of
 * self-contained frames, so byte ranges cut at a frame boundary are valid MP3 files. Each part is fetched with an
 * HTTP Range request, transcribed, and cached in the store under its byte range — a retry, or a function that timed
 * out mid-podcast, resumes at the first part not yet done. Other containers (M4A, MP4, OGG) cannot be cut this way.
 */

export interface TranscriptionLimits {
  /** The most one transcription request takes (OpenAI: 25 MB). */
  maxRequestBytes: number;
  /** Bytes per part of a longer file; under the request limit with room for the multipart envelope. */
  chunkBytes: number;
}

export const OPENAI_LIMITS: TranscriptionLimits = { maxRequestBytes: 25 * 1024 * 1024, chunkBytes: 20 * 1024 * 1024 };

export const isMp3 = (media: MediaItem, contentType: string | null) =>
  /audio\/(mpeg|mp3)/i.test(contentType ?? media.type ?? "") || /\.mp3(\?|$)/i.test(media.url);

/** Offset of the first MPEG audio frame header (11 sync bits, valid version/layer/bitrate/rate). */
export function firstFrameOffset(bytes: Uint8Array): number {
  for (let i = 0; i + 3 < bytes.length; i++) {
    const [a, b, c] = [bytes[i] ?? 0, bytes[i + 1] ?? 0, bytes[i + 2] ?? 0];
    const sync = a === 0xff && (b & 0xe0) === 0xe0;
    const version = (b >> 3) & 0x3;
    const layer = (b >> 1) & 0x3;
    const bitrate = c >> 4;
    const rate = (c >> 2) & 0x3;
    if (sync && version !== 1 && layer !== 0 && bitrate !== 0 && bitrate !== 15 && rate !== 3) return i;
  }
  return 0;
}

/** Joins parts in order; each part's timestamps move by the length of the parts before it. */
export function joinParts(parts: Transcript[], source: string, model?: string): Transcript {
  const segments: TranscriptSegment[] = [];
  let offset = 0;
  for (const part of parts) {
    for (const s of part.segments ?? []) segments.push({ start: s.start + offset, end: s.end + offset, text: s.text });
    offset += part.segments?.at(-1)?.end ?? 0;
  }
  return {
    source,
    ...(model ? { model } : {}),
    text: parts
      .map((p) => p.text.trim())
      .filter(Boolean)
      .join(" "),
    ...(segments.length ? { segments } : {}),
  };
}

export async function transcribeInChunks(
  media: MediaItem,
  lang: string | null,
  deps: Pick<PipelineDeps, "fetch" | "transcriber"> & { store: TranscriptCache },
  report: Report,
  plan: TranscriptionLimits = OPENAI_LIMITS,
): Promise<Transcript> {
  const transcriber = deps.transcriber;
  if (!transcriber) throw new AppError("transcription_failed", "No speech-to-text is configured");
  const noRanges = (cause?: unknown) =>
    new AppError("too_large", "The media is over 25 MB and its server does not allow downloading it in parts", {
      cause,
    });
  const probe = await deps
    .fetch(media.url, { headers: { Range: "bytes=0-0" }, maxBytes: 64 * 1024 })
    .catch((error: unknown) => {
      // A server that ignores Range answers with the whole file, which the size cap refuses.
      throw error instanceof AppError && error.reason === "too_large" ? noRanges(error) : error;
    });
  const total = Number(/\/(\d+)\s*$/.exec(probe.headers["content-range"] ?? "")?.[1] ?? Number.NaN);
  if (probe.status !== 206 || !Number.isFinite(total)) throw noRanges();
  if (!isMp3(media, probe.contentType)) {
    throw new AppError(
      "too_large",
      "The media is over 25 MB and is not MP3: splitting it would need ffmpeg, which this deployment does not have",
    );
  }
  const count = Math.ceil(total / plan.chunkBytes);
  const parts: Transcript[] = [];
  report(0, count, "part");
  for (let index = 0; index < count; index++) {
    const start = index * plan.chunkBytes;
    const end = Math.min(total, start + plan.chunkBytes) - 1;
    const key = { mediaUrl: `${media.url}#bytes=${start}-${end}`, startSec: 0, endSec: 0, model: transcriber.model };
    let part = await deps.store.getTranscriptChunk(key);
    if (!part) {
      const response = await deps.fetch(media.url, {
        headers: { Range: `bytes=${start}-${end}` },
        maxBytes: plan.chunkBytes + 1024,
        timeoutMs: 120_000,
      });
      if (response.status !== 206) {
        throw new AppError("http_error", "The media server stopped honouring range requests", { retriable: true });
      }
      // The part starts at the first whole frame; the bytes before it end the previous part's last frame.
      const audio = index === 0 ? response.body : response.body.subarray(firstFrameOffset(response.body));
      part = await transcriber.transcribe({
        audio,
        filename: `part-${index + 1}-of-${count}.mp3`,
        mimeType: "audio/mpeg",
        lang,
      });
      await deps.store.putTranscriptChunk(key, part);
    }
    parts.push(part);
    report(index + 1, count, "part");
  }
  const transcript = joinParts(parts, "openai", transcriber.model);
  if (!transcript.text) throw new AppError("media_unreadable", "The media contains no recognisable speech");
  return transcript;
}
