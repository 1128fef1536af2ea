import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveModel } from "@/lib/ai/models";
import { createOpenAIClient } from "@/lib/ai/openai";
import { createOpenAITranscriber } from "@/lib/ai/openai-transcriber";
import type { Detected, Transcript } from "@/lib/domain";
import { createSafeFetch } from "@/lib/net/safe-fetch";
import type { SafeFetch } from "@/lib/net/types";
import { type ChunkingConfig, DEFAULT_CHUNKING, planWindows, stitchChunks } from "@/lib/pipeline/chunk-plan";
import { transcribeStage } from "@/lib/pipeline/transcribe";
import { startFakeOpenAI } from "../helpers/fake-openai";
import { type FixtureServer, startFixtureServer } from "../helpers/fixture-server";
import { extractedFixture, memoryTranscriptCache } from "../helpers/pipeline-fixtures";
import { hasFfmpeg, synthesizeToneEpisode, type ToneEpisode, toneStt } from "../helpers/tone-audio";

// 150 s, a tone per 5 s window (30 windows), silent 88–112 s: across the boundary at 100 s of 50 s chunks.
const EPISODE: ToneEpisode = { seconds: 150, windowSeconds: 5, silent: [[88, 112]] };
const WINDOWS = 30;
const CHUNKING: ChunkingConfig = { ...DEFAULT_CHUNKING, chunkSeconds: 50, overlapSeconds: 2 };
const ffmpeg = hasFfmpeg();

let dir: string;
let site: FixtureServer;
let fetch: SafeFetch;
beforeAll(async () => {
  if (!ffmpeg) return;
  dir = mkdtempSync(path.join(tmpdir(), "tones-"));
  mkdirSync(path.join(dir, "norange"));
  for (const format of ["mp3", "m4a", "webm"]) synthesizeToneEpisode(dir, "episode", format, EPISODE);
  synthesizeToneEpisode(path.join(dir, "norange"), "episode", "mp3", EPISODE);
  site = await startFixtureServer(dir);
  fetch = createSafeFetch({ allowlist: [site.hostPort] });
}, 120_000);
afterAll(async () => {
  await site?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const detected = (url: string): Detected => ({ media: [], primary: { kind: "audio", url } });

/** Every second of tone heard exactly once, where it is on the episode, and nothing in the silence. */
function expectEpisodeTimeline(transcript: Transcript) {
  const segments = transcript.segments ?? [];
  const mids = segments.map((s) => (s.start + s.end) / 2);
  for (let i = 1; i < mids.length; i++) expect(mids[i]).toBeGreaterThan((mids[i - 1] ?? 0) + 0.5);
  for (const s of segments) {
    const mid = (s.start + s.end) / 2;
    expect(mid < 88.5 || mid > 111.5, `speech inside the silence at ${mid}`).toBe(true);
    expect(s.text).toBe(`w${Math.floor(mid / EPISODE.windowSeconds)}`);
  }
  // 150 s minus 24 s of silence: one word per second, give or take a second at each of the three edges.
  expect(segments.length).toBeGreaterThanOrEqual(123);
  expect(segments.length).toBeLessThanOrEqual(129);
  expect(transcript.text.split(" ")).toHaveLength(segments.length);
}

describe.skipIf(!ffmpeg)("long media in time windows, cut in process", () => {
  it.each(["mp3", "m4a", "webm"])(
    "transcribes a %s episode window by window onto its timeline",
    async (format) => {
      const stt = toneStt(WINDOWS);
      const llm = await startFakeOpenAI({ transcribe: stt.transcribe });
      try {
        const transcriber = createOpenAITranscriber(
          createOpenAIClient({ apiKey: "sk", baseURL: llm.url }),
          "whisper-1",
        );
        const store = memoryTranscriptCache();
        const reports: number[][] = [];
        const transcript = await transcribeStage(
          detected(`${site.origin}/episode.${format}`),
          extractedFixture(),
          { fetch, transcriber, store },
          (done, total) => reports.push([done, total]),
          CHUNKING,
        );
        expect(transcript).not.toBeNull();
        expectEpisodeTimeline(transcript as Transcript);
        // Three windows of 50 s (plus 2 s overlap), each a valid audio file the STT decoded.
        expect(stt.uploads).toHaveLength(3);
        for (const upload of stt.uploads) {
          expect(upload.duration).not.toBeNull();
          expect(upload.duration).toBeLessThan(53);
        }
        expect(reports.at(-1)).toEqual([3, 3]);
        // A new run of the same media and model pays for nothing.
        await transcribeStage(
          detected(`${site.origin}/episode.${format}`),
          extractedFixture(),
          { fetch, transcriber, store },
          () => undefined,
          CHUNKING,
        );
        expect(stt.uploads).toHaveLength(3);
      } finally {
        await llm.close();
      }
    },
    60_000,
  );

  it("never sends a duration-capped model a window over its cap", async () => {
    const long = synthesizeToneEpisode(dir, "long", "mp3", { seconds: 1500, windowSeconds: 60, silent: [] }, 8000);
    const stt = toneStt(25);
    const llm = await startFakeOpenAI({ transcribe: stt.transcribe });
    try {
      const client = createOpenAIClient({ apiKey: "sk", baseURL: llm.url });
      // The diarizing model has timestamps and the gpt-4o family's 1,400 s cap, so windows stay long.
      const capped = createOpenAITranscriber(client, "gpt-4o-transcribe-diarize");
      const transcript = await transcribeStage(
        detected(`${site.origin}/${path.basename(long)}`),
        extractedFixture(),
        { fetch, transcriber: capped, store: memoryTranscriptCache() },
        () => undefined,
        { ...DEFAULT_CHUNKING, chunkSeconds: 3600 },
      );
      expect(stt.uploads.length).toBe(2);
      for (const upload of stt.uploads) expect(upload.duration).toBeLessThanOrEqual(1400);
      expect(transcript?.segments?.at(-1)?.end).toBeGreaterThan(1498);
    } finally {
      await llm.close();
    }
  }, 120_000);

  it("refuses media over the duration limit before any upload, and names a chunk that fails", async () => {
    const stt = toneStt(WINDOWS);
    const llm = await startFakeOpenAI({ transcribe: stt.transcribe });
    try {
      const transcriber = createOpenAITranscriber(createOpenAIClient({ apiKey: "sk", baseURL: llm.url }), "whisper-1");
      const url = `${site.origin}/episode.mp3`;
      await expect(
        transcribeStage(
          detected(url),
          extractedFixture(),
          { fetch, transcriber, store: memoryTranscriptCache() },
          () => undefined,
          {
            ...CHUNKING,
            maxSeconds: 120,
          },
        ),
      ).rejects.toMatchObject({ reason: "too_large" });
      await expect(
        transcribeStage(
          detected(url),
          extractedFixture(),
          { fetch, transcriber, store: memoryTranscriptCache() },
          () => undefined,
          {
            ...CHUNKING,
            maxChunks: 2,
          },
        ),
      ).rejects.toMatchObject({ reason: "too_large" });
      expect(stt.uploads).toHaveLength(0);
      llm.failNext(500, 5);
      await expect(
        transcribeStage(
          detected(url),
          extractedFixture(),
          { fetch, transcriber, store: memoryTranscriptCache() },
          () => undefined,
          CHUNKING,
        ),
      ).rejects.toMatchObject({
        reason: "transcription_failed",
        message: expect.stringMatching(/^Chunk 1 of 3 \(0:00–0:50\)/),
      });
    } finally {
      await llm.close();
    }
  }, 60_000);

  it("cuts a small file from a server without Range support from memory", async () => {
    const stt = toneStt(WINDOWS);
    const llm = await startFakeOpenAI({ transcribe: stt.transcribe });
    try {
      const transcriber = createOpenAITranscriber(createOpenAIClient({ apiKey: "sk", baseURL: llm.url }), "whisper-1");
      const transcript = await transcribeStage(
        detected(`${site.origin}/norange/episode.mp3`),
        extractedFixture(),
        { fetch, transcriber, store: memoryTranscriptCache() },
        () => undefined,
        CHUNKING,
      );
      expectEpisodeTimeline(transcript as Transcript);
    } finally {
      await llm.close();
    }
  }, 60_000);
});

describe("planning and stitching", () => {
  it("plans equal whole-second windows under the size and duration limits", () => {
    const facts = { size: 19 * 1024 * 1024, duration: 2400, container: "MP3", codec: "mp3" };
    const whisper = planWindows(facts, resolveModel("whisper-1").stt, DEFAULT_CHUNKING);
    expect(whisper).toHaveLength(4);
    expect(whisper.map((w) => [w.readStart, w.start, w.end])).toEqual([
      [0, 0, 600],
      [598, 600, 1200],
      [1198, 1200, 1800],
      [1798, 1800, 2400],
    ]);
    // A timestamped model with a duration cap (the diarizing one) gets windows under its cap.
    const capped = planWindows(facts, resolveModel("gpt-4o-transcribe-diarize").stt, {
      ...DEFAULT_CHUNKING,
      chunkSeconds: 3600,
    });
    expect(capped).toHaveLength(2);
    for (const w of capped) expect(w.end - w.readStart).toBeLessThanOrEqual(1400);
    // A model without timestamps gets windows of at most 120 s, overlap included: each is one segment of the timeline.
    const timeless = planWindows(facts, resolveModel("gpt-4o-mini-transcribe").stt, DEFAULT_CHUNKING);
    expect(timeless).toHaveLength(21);
    for (const w of timeless) expect(w.end - w.readStart).toBeLessThanOrEqual(120);
    // Four hours still plan (the window count scales with the short windows).
    expect(
      planWindows({ ...facts, duration: 4 * 3600 - 10 }, resolveModel("gpt-4o-transcribe").stt, DEFAULT_CHUNKING)
        .length,
    ).toBe(122);
    // 128 kbps WAV-like density: windows shrink under 25 MB.
    const dense = planWindows({ ...facts, size: 2400 * 176_400 }, resolveModel("whisper-1").stt, DEFAULT_CHUNKING);
    for (const w of dense) expect(((w.end - w.readStart) * 176_400) / (25 * 1024 * 1024)).toBeLessThan(1);
  });

  it("drops the words a window repeats from the one before it", () => {
    const w = (index: number, start: number, end: number) => ({ index, start, end, readStart: Math.max(0, start - 2) });
    const transcript = stitchChunks(
      [
        {
          window: w(0, 0, 10),
          transcript: { source: "openai", text: "", segments: [{ start: 5, end: 10.8, text: "so the library moved" }] },
        },
        {
          window: w(1, 10, 20),
          transcript: {
            source: "openai",
            text: "",
            segments: [{ start: 10.1, end: 13, text: "Moved into the old mill." }],
          },
        },
      ],
      "openai",
    );
    expect(transcript.text).toBe("so the library moved into the old mill.");
    expect(transcript.segments?.[1]?.start).toBeCloseTo(10.8);
  });
});
