import { parsePublisherTranscript } from "../ai/transcript-formats";
import type { Detected, Extracted, Transcript } from "../domain";
import { AppError } from "../errors";
import { MIN_ARTICLE_CHARS } from "../extract/text";
import { fetchYoutubeCaptions } from "../extract/youtube-captions";
import { fileNameFromUrl } from "../net/canonical-url";
import { OPENAI_LIMITS, type TranscriptCache, type TranscriptionLimits, transcribeInChunks } from "./transcribe-chunks";
import type { PipelineDeps, Report } from "./types";

const hasArticleText = (extracted: Extracted) => extracted.text.length >= MIN_ARTICLE_CHARS;

/**
 * Stage 4: a transcript of the primary media. A publisher transcript (podcast:transcript) or YouTube's
 * captions are preferred to paying for speech-to-text; transcriptions are cached by media URL (and byte range)
 * and model, so a retry never pays twice.
 * Returns null when there is nothing to transcribe, or when the page's text can stand on its own.
 */
export async function transcribeStage(
  detected: Detected,
  extracted: Extracted,
  deps: Pick<PipelineDeps, "fetch" | "transcriber"> & { store: TranscriptCache },
  report: Report,
  limits: TranscriptionLimits = OPENAI_LIMITS,
): Promise<Transcript | null> {
  const media = detected.primary;
  if (!media) return null;

  if (media.transcriptUrl) {
    const response = await deps.fetch(media.transcriptUrl, { maxBytes: 5 * 1024 * 1024 });
    const transcript = parsePublisherTranscript(
      new TextDecoder().decode(response.body),
      media.transcriptType ?? response.contentType ?? undefined,
    );
    if (transcript.text) return transcript;
  }

  if (media.kind === "youtube") {
    try {
      return await fetchYoutubeCaptions(media.url, { fetch: deps.fetch, lang: extracted.lang });
    } catch (error) {
      // A video embedded in an article: the article still stands on its own. The watch page itself does not.
      if (media.foundIn !== "url" && hasArticleText(extracted)) return null;
      throw error;
    }
  }
  if (media.foundIn === "vimeo") {
    if (hasArticleText(extracted)) return null;
    throw new AppError(
      "media_unreadable",
      "Vimeo videos cannot be transcribed (their audio is not downloadable), and the page has no text to summarize",
    );
  }
  if (media.kind === "feed") return null;

  const transcriber = deps.transcriber;
  if (!transcriber) {
    if (hasArticleText(extracted)) return null;
    throw new AppError(
      "transcription_failed",
      "No speech-to-text is configured (set OPENAI_API_KEY) and the page has no text to summarize",
      {
        retriable: false,
      },
    );
  }

  const key = { mediaUrl: media.url, startSec: 0, endSec: 0, model: transcriber.model };
  const cached = await deps.store.getTranscriptChunk(key);
  if (cached) return cached;

  report(0, 2, "step");
  const audio = await deps
    .fetch(media.url, { maxBytes: limits.maxRequestBytes, timeoutMs: 120_000 })
    .catch((error: unknown) => {
      if (error instanceof AppError && error.reason === "too_large") return null;
      throw error;
    });
  // Longer than one request allows: in parts, each cached, so a retry resumes where it stopped.
  if (!audio) return transcribeInChunks(media, extracted.lang, deps, report, limits);
  report(1, 2, "step");
  const filename = fileNameFromUrl(audio.url, "audio");
  const transcript = await transcriber.transcribe({
    audio: audio.body,
    filename,
    mimeType: audio.contentType?.split(";")[0] ?? media.type ?? "application/octet-stream",
    lang: extracted.lang,
  });
  if (!transcript.text) throw new AppError("media_unreadable", "The media contains no recognisable speech");
  await deps.store.putTranscriptChunk(key, transcript);
  report(2, 2, "step");
  return transcript;
}
