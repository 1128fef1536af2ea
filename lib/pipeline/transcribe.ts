import { parsePublisherTranscript } from "../ai/transcript-formats";
import type { Detected, Extracted, Transcript } from "../domain";
import { AppError } from "../errors";
import { MIN_ARTICLE_CHARS } from "../extract/text";
import { fetchYoutubeCaptions } from "../extract/youtube-captions";
import type { Report, StepRunner } from "../ports";
import { type ChunkingConfig, DEFAULT_CHUNKING } from "./chunk-plan";
import { transcriptionCost } from "./cost";
import { runStage, type StageContext } from "./stage";
import {
  handleFor,
  planRest,
  planTranscription,
  resolveTranscript,
  stitchTranscription,
  storeTranscript,
  type TranscriptCache,
  type TranscriptHandle,
  type TranscriptionPlan,
  transcribeChunk,
  transcribeChunkSteps,
  wholeKey,
} from "./transcribe-chunks";
import type { PipelineDeps } from "./types";

const hasArticleText = (extracted: Extracted) => extracted.text.length >= MIN_ARTICLE_CHARS;

/** What the first transcribe step decides: nothing to transcribe, a transcript already, or windows to transcribe. */
export type TranscribeOutcome =
  | { kind: "none" }
  | { kind: "transcript"; handle: TranscriptHandle; reused?: boolean; paidUsd?: number | null }
  | { kind: "plan"; plan: TranscriptionPlan };

type TranscribeDeps = Pick<PipelineDeps, "fetch" | "transcriber" | "models"> & { store: TranscriptCache };

/**
 * Stage 4, first step: a transcript of the primary media. A publisher transcript (podcast:transcript) or YouTube's
 * captions are preferred to paying for speech-to-text; speech-to-text is planned in time windows, each then its own
 * durable step (`transcribeSteps` below). Transcriptions are cached by media URL, window and model, so
 * neither a retry nor a new run of the same media pays twice.
 * "none" when there is nothing to transcribe, or when the page's text can stand on its own.
 */
export async function prepareTranscript(
  detected: Detected,
  extracted: Extracted,
  deps: TranscribeDeps,
  config: ChunkingConfig = DEFAULT_CHUNKING,
): Promise<TranscribeOutcome> {
  const found = await findTranscript(detected, extracted, deps);
  if (found === null) return { kind: "none" };
  if (found !== "stt") return { kind: "transcript", handle: { transcript: found } };
  const media = detected.primary;
  const transcriber = deps.transcriber;
  if (!media || !transcriber) return { kind: "none" };
  const key = wholeKey(media.url, transcriber.model);
  const cached = await deps.store.getTranscriptChunk(key);
  if (cached) return { kind: "transcript", handle: handleFor(key, cached), reused: true };
  const planned = await planTranscription(media, extracted.lang, deps, config);
  if (planned.kind === "plan") return planned;
  if (!planned.transcript.text) throw new AppError("media_unreadable", "The media contains no recognisable speech");
  // Media uploaded whole (it could not be probed): paid for in this step.
  return {
    kind: "transcript",
    handle: await storeTranscript(key, planned.transcript, deps.store),
    paidUsd: transcriptionCost(planned.transcript, deps.models ?? {}),
  };
}

/**
 * Stage 4 as durable steps: the first step finds a transcript or plans windows; a plan then runs one step per window
 * and a stitch step (lib/pipeline/transcribe-chunks.ts). The stage stays open (no step.completed) until the stitch
 * step ends it. The transcript travels by reference; null when there is nothing to transcribe.
 */
export async function transcribeSteps(
  step: StepRunner,
  context: StageContext,
  detected: Detected,
  extracted: Extracted,
): Promise<TranscriptHandle | null> {
  const chunking = context.chunking ?? DEFAULT_CHUNKING;
  const prepared = await step.run("transcribe", () =>
    runStage(
      "transcribe",
      async (report) => {
        const outcome = await prepareTranscript(detected, extracted, context, chunking);
        if (outcome.kind === "plan") report(0, outcome.plan.windows.length, "chunk");
        return { ...outcome, startedAt: context.now() };
      },
      context,
      {
        complete: (result) => result.kind !== "plan",
        spent: (result) => (result.kind === "transcript" ? result.paidUsd : undefined),
        summary: (result) => {
          if (result.kind === "none") return { skipped: true };
          return result.kind === "transcript" && result.reused ? { reused: true } : {};
        },
      },
    ),
  );
  if (prepared.kind === "none") return null;
  if (prepared.kind === "transcript") return prepared.handle;
  return transcribeChunkSteps(step, context, prepared.plan, chunking, prepared.startedAt);
}

/**
 * The whole stage in one call, windows one after the other: for tools and tests that need a transcript, not
 * durability (the pipeline runs the windows as steps of their own).
 */
export async function transcribeStage(
  detected: Detected,
  extracted: Extracted,
  deps: TranscribeDeps,
  report: Report,
  config: ChunkingConfig = DEFAULT_CHUNKING,
): Promise<Transcript | null> {
  const outcome = await prepareTranscript(detected, extracted, deps, config);
  if (outcome.kind === "none") return null;
  if (outcome.kind === "transcript") return (await resolveTranscript(outcome.handle, deps.store)) ?? null;
  let { plan } = outcome;
  report(0, plan.windows.length, "chunk");
  for (let i = 0; i < plan.windows.length; i++) {
    const window = plan.windows[i];
    if (!window) break;
    await transcribeChunk(plan, window, deps, config);
    // The first window's answer showed a pending plan's server's format: the rest are planned by it.
    if (plan.pending) plan = await planRest(plan, deps, config);
    report(window.index + 1, plan.windows.length, "chunk");
  }
  return (await resolveTranscript(await stitchTranscription(plan, deps), deps.store)) ?? null;
}

/** A transcript that costs nothing (publisher, captions), null when none is needed, or "stt" when one must be paid for. */
async function findTranscript(
  detected: Detected,
  extracted: Extracted,
  deps: TranscribeDeps,
): Promise<Transcript | null | "stt"> {
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

  return "stt";
}
