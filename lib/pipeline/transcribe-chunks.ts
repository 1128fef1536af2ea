import { resolveModel, sumCosts } from "../ai/models";
import type { MediaItem, Transcript, TranscriptSegment } from "../domain";
import { AppError, toAppError } from "../errors";
import { cutWindow, probeMedia } from "../media/cut";
import { MAX_MEDIA_BYTES_PER_SECOND, openRangeReader, type RangeReader, readBudget } from "../media/range-reader";
import type { KnownSpeaker, StepRunner, SttCapabilities, SttFormat, Transcriber } from "../ports";
import type { Store, TranscriptChunkKey } from "../store/store";
import {
  type ChunkingConfig,
  type ChunkWindow,
  DEFAULT_CHUNKING,
  formatClock,
  type MediaFacts,
  planWindows,
  stitchChunks,
} from "./chunk-plan";
import { runStage, type StageContext } from "./stage";
import { mapSteps } from "./steps";
import type { PipelineDeps } from "./types";

/**
 * Speech-to-text by time window. The plan (a step's output: small JSON, never audio) comes from a few `Range` reads;
 * each window is then cut in process (lib/media/cut.ts), transcribed and cached in the store under its window, in a
 * durable step of its own; the stitch step joins the cached windows on the episode's timeline and stores the result
 * once, handing later steps a reference when it is too big to travel comfortably as step output.
 */

/** The part of the store a transcription needs: its cache of finished transcripts and windows. */
export type TranscriptCache = Pick<Store, "getTranscriptChunk" | "putTranscriptChunk">;

type ChunkDeps = Pick<PipelineDeps, "fetch" | "transcriber"> & { store: TranscriptCache };

export interface TranscriptionPlan {
  mediaUrl: string;
  model: string;
  lang: string | null;
  /** A diarizing model: the first window runs first, and its speakers' clips name them in the others. */
  speakers?: boolean;
  /**
   * Only the first window is planned (short, by the timestamp-less rule): the server is not in the model table and
   * its format is not known yet. The first window's answer shows it; `planRest` then plans the others.
   */
  pending?: boolean;
  /** The format a probe found this server to answer in: every window asks in it first, in any process. */
  format?: SttFormat;
  facts: MediaFacts;
  windows: ChunkWindow[];
}

/** A transcript as step output: inline when small, else the store key it was saved under. */
export type TranscriptHandle = { transcript: Transcript } | { ref: TranscriptChunkKey };

/** Larger stitched transcripts travel as a reference (Inngest: 4 MiB per step output, 32 MiB per run). */
const INLINE_TRANSCRIPT_BYTES = 256 * 1024;

/** The whole media's transcript is cached under the zero window; windows are cached under where they were cut. */
export const wholeKey = (mediaUrl: string, model: string): TranscriptChunkKey => ({
  mediaUrl,
  startSec: 0,
  endSec: 0,
  model,
});
export const windowKey = (plan: TranscriptionPlan, window: ChunkWindow): TranscriptChunkKey => ({
  mediaUrl: plan.mediaUrl,
  startSec: window.readStart,
  endSec: window.end,
  model: plan.model,
});

/** A reader under its byte budget (lib/media/range-reader.ts): a probe, or one window of `seconds`. */
const openMedia = (
  deps: ChunkDeps,
  url: string,
  config: ChunkingConfig,
  window?: { facts: MediaFacts; seconds: number },
): Promise<RangeReader> =>
  openRangeReader(deps.fetch, url, {
    maxWholeBytes: config.maxUploadBytes,
    maxSize: config.maxSeconds * MAX_MEDIA_BYTES_PER_SECOND,
    maxTotalBytes: readBudget(window?.facts ?? null, window?.seconds ?? 0, config.maxUploadBytes),
  });

/** What the transcriber's model can do: its own table row, or the built-in table's for a bare fake. */
export const capabilitiesOf = (transcriber: Transcriber): SttCapabilities =>
  transcriber.capabilities ?? resolveModel(transcriber.model).stt;

export type PlanOutcome = { kind: "transcript"; transcript: Transcript } | { kind: "plan"; plan: TranscriptionPlan };

/**
 * Probes the media (duration, container, codec) with a few Range reads and plans its windows. Media that cannot be
 * probed but fits one request is uploaded as it is, here (some servers' files are fine for the STT but not for us).
 */
export async function planTranscription(
  media: MediaItem,
  lang: string | null,
  deps: ChunkDeps,
  config: ChunkingConfig = DEFAULT_CHUNKING,
): Promise<PlanOutcome> {
  const transcriber = deps.transcriber;
  if (!transcriber) throw new AppError("transcription_failed", "No speech-to-text is configured", { retriable: false });
  const reader = await openMedia(deps, media.url, config);
  let probed: Awaited<ReturnType<typeof probeMedia>>;
  try {
    probed = await probeMedia(reader);
  } catch (error) {
    if (reader.size > config.maxUploadBytes) throw error;
    const audio = await reader.read(0, reader.size);
    const filename = decodeURIComponent(new URL(reader.url).pathname.split("/").pop() || "audio") || "audio";
    const transcript = await transcriber.transcribe({
      audio,
      filename,
      mimeType: reader.contentType?.split(";")[0] ?? media.type ?? "application/octet-stream",
      lang,
    });
    return { kind: "transcript", transcript };
  }
  const facts: MediaFacts = { size: reader.size, ...probed };
  const capabilities = capabilitiesOf(transcriber);
  // A server whose timestamps are not known yet gets a first window short enough for either answer (STT is priced
  // per audio minute, so a shorter window costs the same); the rest are planned once its answer is known.
  const windows = planWindows(
    facts,
    capabilities.probe ? { ...capabilities, timestamps: false } : capabilities,
    config,
  );
  const pending = capabilities.probe && windows.length > 1;
  return {
    kind: "plan",
    plan: {
      mediaUrl: media.url,
      model: transcriber.model,
      lang,
      ...(capabilities.diarization ? { speakers: true } : {}),
      ...(pending ? { pending: true } : {}),
      ...(capabilities.learned ? { format: capabilities.learned } : {}),
      facts,
      windows: pending ? windows.slice(0, 1) : windows,
    },
  };
}

/**
 * The windows after a pending plan's first, planned by what the first window's answer showed: the format it came in
 * (kept with the cached window, so a new process that never probed plans the same), else what this process's
 * transcriber learned. A server that answered without timestamps gets the timestamp-less rule for the rest.
 */
export async function planRest(
  plan: TranscriptionPlan,
  deps: ChunkDeps,
  config: ChunkingConfig = DEFAULT_CHUNKING,
): Promise<TranscriptionPlan> {
  const first = plan.windows[0];
  if (!plan.pending || !first) return plan;
  const transcriber = deps.transcriber;
  if (!transcriber) throw new AppError("transcription_failed", "No speech-to-text is configured", { retriable: false });
  const heard = await deps.store.getTranscriptChunk(windowKey(plan, first));
  if (!heard) throw new AppError("internal", "The first window is missing from the store");
  const capabilities = capabilitiesOf(transcriber);
  const format = heard.format ?? capabilities.learned;
  const timestamps = format ? format === "verbose_json" || format === "diarized_json" : capabilities.timestamps;
  const rest = planWindows(plan.facts, { ...capabilities, timestamps }, config, { start: first.end, index: 1 });
  const { pending: _pending, ...planned } = plan;
  return { ...planned, ...(format ? { format } : {}), windows: [first, ...rest] };
}

export interface ChunkDone {
  index: number;
  /** Seconds of the episode this window owns. */
  seconds: number;
  segments: number;
  /** True when the store already had it (a new run of the same media and model pays nothing again). */
  cached: boolean;
  /** What this window's transcription cost (absent when cached; null: unknown), as the stitched transcript counts it. */
  paidUsd?: number | null;
}

/** Generous for real STT speed (about a tenth of real time), and still inside a 300 s function. */
export const sttTimeoutMs = (seconds: number) => Math.min(270_000, 30_000 + Math.ceil(seconds * 250));

/** One window: cached, or cut, uploaded, shifted onto the episode timeline and cached. */
export async function transcribeChunk(
  plan: TranscriptionPlan,
  window: ChunkWindow,
  deps: ChunkDeps,
  config: ChunkingConfig = DEFAULT_CHUNKING,
): Promise<ChunkDone> {
  const key = windowKey(plan, window);
  const done = (transcript: Transcript, cached: boolean): ChunkDone => ({
    index: window.index,
    seconds: window.end - window.start,
    segments: transcript.segments?.length ?? 0,
    cached,
    // Priced as the stitch prices it: a window without billing is unknown.
    ...(cached ? {} : { paidUsd: transcript.billing ? transcript.billing.costUsd : null }),
  });
  const cached = await deps.store.getTranscriptChunk(key);
  if (cached) return done(cached, true);
  const transcriber = deps.transcriber;
  if (!transcriber) throw new AppError("transcription_failed", "No speech-to-text is configured", { retriable: false });
  const total = plan.windows.length;
  try {
    const seconds = window.end - window.readStart;
    const reader = await openMedia(deps, plan.mediaUrl, config, { facts: plan.facts, seconds });
    const cut = await cutWindow(reader, window.readStart, window.end, { maxBytes: config.maxUploadBytes });
    if (cut.audio.byteLength > config.maxUploadBytes) {
      throw new AppError("too_large", `The cut is ${cut.audio.byteLength} bytes, over the upload limit`);
    }
    const knownSpeakers = plan.speakers && window.index > 0 ? await speakerClips(plan, deps, config) : [];
    const heard = await transcriber.transcribe({
      audio: cut.audio,
      filename: `chunk-${window.index + 1}-of-${total}.${cut.extension}`,
      mimeType: cut.mimeType,
      lang: plan.lang,
      timeoutMs: sttTimeoutMs(cut.seconds),
      durationSec: cut.seconds,
      ...(plan.format ? { format: plan.format } : {}),
      ...(knownSpeakers.length ? { knownSpeakers } : {}),
    });
    const raw = plan.speakers ? nameSpeakers(heard, knownSpeakers.length) : heard;
    const text = raw.text.trim();
    // Times relative to the uploaded cut move to where the cut really begins on the episode (a packet boundary).
    // A model without timestamps was given a short window: the window itself is the segment.
    const segments = raw.segments?.length
      ? raw.segments.map((s) => ({ ...s, start: s.start + cut.start, end: s.end + cut.start }))
      : text
        ? [{ start: cut.start, end: cut.end, text }]
        : [];
    const transcript: Transcript = { ...raw, text, segments };
    await deps.store.putTranscriptChunk(key, transcript);
    return done(transcript, false);
  } catch (error) {
    const cause = toAppError(error);
    // The cause's reason stays when it says more than "failed" (media_unreadable, too_large, rate_limited…).
    throw new AppError(
      cause.reason === "internal" ? "transcription_failed" : cause.reason,
      `Chunk ${window.index + 1} of ${total} (${formatClock(window.start)}–${formatClock(window.end)}) failed: ${cause.toPublic().message}`,
      {
        cause,
        retriable: cause.retriable,
        ...(cause.retryAfterMs !== undefined ? { retryAfterMs: cause.retryAfterMs } : {}),
      },
    );
  }
}

/** What diarizing models call the speakers they were not told about: "A", "B"… within each request. */
const SPEAKER_NAME = (n: number) => `Speaker ${n}`;

/**
 * Labels that mean the same person across windows: the first window's letters become "Speaker 1", "Speaker 2"… in
 * order of appearance; later windows were given those names with reference clips (the model answers with them),
 * and a voice the clips did not match gets the next free number within its window.
 */
export function nameSpeakers(transcript: Transcript, known: number): Transcript {
  const names = new Map<string, string>();
  const isKnown = (label: string) => /^Speaker \d+$/.test(label) && Number(label.slice(8)) <= known;
  const segments = (transcript.segments ?? []).map((s) => {
    if (!s.speaker || isKnown(s.speaker)) return s;
    let name = names.get(s.speaker);
    if (!name) {
      name = SPEAKER_NAME(known + names.size + 1);
      names.set(s.speaker, name);
    }
    return { ...s, speaker: name };
  });
  return { ...transcript, segments };
}

/** Reference clips must last 2–10 s (OpenAI's spec); a cut starts at a packet boundary, so aim inside that. */
const CLIP_MIN_SECONDS = 3;
const CLIP_SECONDS = 8;
/** `known_speaker_references` holds up to 4 clips. */
const MAX_KNOWN_SPEAKERS = 4;

/**
 * Clips of the speakers the first window found (its longest segment of each, up to 4 speakers), cut from the media,
 * named as the first window named them. Empty when the first window found nobody long enough to quote.
 */
async function speakerClips(plan: TranscriptionPlan, deps: ChunkDeps, config: ChunkingConfig): Promise<KnownSpeaker[]> {
  const first = plan.windows[0];
  const heard = first && (await deps.store.getTranscriptChunk(windowKey(plan, first)));
  if (!heard) throw new AppError("transcription_failed", "The first window's speakers are not in the store yet");
  const longest = new Map<string, TranscriptSegment>();
  for (const s of heard.segments ?? []) {
    if (!s.speaker || s.end - s.start < CLIP_MIN_SECONDS) continue;
    const best = longest.get(s.speaker);
    if (!best || s.end - s.start > best.end - best.start) longest.set(s.speaker, s);
  }
  const clips: KnownSpeaker[] = [];
  for (const [name, s] of [...longest].slice(0, MAX_KNOWN_SPEAKERS)) {
    const reader = await openMedia(deps, plan.mediaUrl, config, { facts: plan.facts, seconds: CLIP_SECONDS });
    const cut = await cutWindow(reader, s.start, Math.min(s.end, s.start + CLIP_SECONDS), {
      maxBytes: config.maxUploadBytes,
    });
    if (cut.seconds >= 2 && cut.seconds <= 10) clips.push({ name, audio: cut.audio, mimeType: cut.mimeType });
  }
  return clips;
}

/** Windows of the plan already in the store, and the minutes they cover: chunk progress that survives replays. */
export async function chunkProgress(
  plan: TranscriptionPlan,
  store: TranscriptCache,
): Promise<{ done: number; total: number; minutes: number }> {
  let done = 0;
  let seconds = 0;
  for (const window of plan.windows) {
    if (await store.getTranscriptChunk(windowKey(plan, window))) {
      done++;
      seconds += window.end - window.start;
    }
  }
  return { done, total: plan.windows.length, minutes: Math.round((seconds / 60) * 10) / 10 };
}

/** Joins the cached windows, stores the transcript once, and returns it inline or by reference. */
export async function stitchTranscription(
  plan: TranscriptionPlan,
  deps: { store: TranscriptCache },
): Promise<TranscriptHandle> {
  const chunks = await Promise.all(
    plan.windows.map(async (window) => {
      const transcript = await deps.store.getTranscriptChunk(windowKey(plan, window));
      if (!transcript) throw new AppError("internal", `Chunk ${window.index + 1} is missing from the store`);
      return { window, transcript };
    }),
  );
  const stitched = stitchChunks(chunks, "openai", plan.model);
  const billed = chunks.map((c) => c.transcript.billing);
  // Windows from before billing was recorded count as their planned length, priced as unknown.
  const transcript: Transcript = {
    ...stitched,
    billing: {
      seconds: chunks.reduce((sum, c) => sum + (c.transcript.billing?.seconds ?? c.window.end - c.window.readStart), 0),
      costUsd: sumCosts(...billed.map((b) => (b ? b.costUsd : null))),
    },
  };
  if (!transcript.text) throw new AppError("media_unreadable", "The media contains no recognisable speech");
  return storeTranscript(wholeKey(plan.mediaUrl, plan.model), transcript, deps.store);
}

export async function storeTranscript(
  key: TranscriptChunkKey,
  transcript: Transcript,
  store: TranscriptCache,
): Promise<TranscriptHandle> {
  await store.putTranscriptChunk(key, transcript);
  return handleFor(key, transcript);
}

export const handleFor = (key: TranscriptChunkKey, transcript: Transcript): TranscriptHandle =>
  Buffer.byteLength(JSON.stringify(transcript)) > INLINE_TRANSCRIPT_BYTES ? { ref: key } : { transcript };

export async function resolveTranscript(
  handle: TranscriptHandle | null,
  store: TranscriptCache,
): Promise<Transcript | undefined> {
  if (!handle) return undefined;
  if ("transcript" in handle) return handle.transcript;
  const transcript = await store.getTranscriptChunk(handle.ref);
  if (!transcript) throw new AppError("internal", "The stored transcript is missing");
  return transcript;
}

/**
 * The planned windows as durable steps: `transcribe:chunk:<i>` (parallel, at most `concurrency` at once, each
 * memoized and retried on its own), then `transcribe:stitch`, which ends the stage begun at `startedAt`.
 */
export async function transcribeChunkSteps(
  step: StepRunner,
  context: StageContext,
  planned: TranscriptionPlan,
  chunking: ChunkingConfig,
  startedAt: number,
): Promise<TranscriptHandle> {
  let plan = planned;
  const chunk = (window: ChunkWindow) =>
    runStage(
      "transcribe",
      async () => {
        const done = await transcribeChunk(plan, window, context, chunking);
        // Counted from the store, so windows finishing out of order (or in an earlier run) add up correctly.
        const counted = await chunkProgress(plan, context.store);
        await context.progress.publish({
          type: "step.progress",
          step: "transcribe",
          attempt: context.attempt + 1,
          progress: { done: counted.done, total: counted.total, unit: "chunk" },
          data: { minutesTranscribed: counted.minutes, chunk: window.index + 1, reused: done.cached },
        });
        return done;
      },
      context,
      { start: false, complete: () => false, spent: (done) => done.paidUsd },
    );
  // A diarizing model names the speakers of later windows after clips from the first, and a pending plan learns
  // from the first how to plan the rest: the first runs alone.
  const first = plan.pending || (plan.speakers && plan.windows.length > 1) ? plan.windows.slice(0, 1) : [];
  if (first.length) await mapSteps(step, "transcribe:chunk", first, chunk, { concurrency: 1 });
  // Its own step: the windows it plans are memoized, so a replay (in a process that never probed) cuts the same ones.
  if (plan.pending) {
    const pending = plan;
    plan = await step.run("transcribe:plan", () =>
      runStage("transcribe", () => planRest(pending, context, chunking), context, {
        start: false,
        complete: () => false,
      }),
    );
  }
  await mapSteps(step, "transcribe:chunk", plan.windows.slice(first.length), chunk, {
    concurrency: chunking.concurrency,
    offset: first.length,
  });
  return step.run("transcribe:stitch", () =>
    runStage("transcribe", () => stitchTranscription(plan, context), context, { start: false, startedAt }),
  );
}
