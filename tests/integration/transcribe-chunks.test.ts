import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSafeFetch } from "@/lib/net/safe-fetch";
import type { SafeFetch } from "@/lib/net/types";
import { transcribeStage } from "@/lib/pipeline/transcribe";
import { transcribeInChunks } from "@/lib/pipeline/transcribe-chunks";
import type { TranscribeInput, Transcriber } from "@/lib/pipeline/types";
import { type FixtureServer, startFixtureServer } from "../helpers/fixture-server";
import { extractedFixture, memoryTranscriptCache } from "../helpers/pipeline-fixtures";

/** MPEG-1 Layer III, 128 kbit/s, 44.1 kHz: 417-byte frames. The transcriber here never decodes them. */
const FRAME = Buffer.concat([Buffer.from([0xff, 0xfb, 0x90, 0x64]), Buffer.alloc(413, 0x55)]);
const ID3 = Buffer.concat([Buffer.from("ID3\x04\x00\x00\x00\x00\x00\x0a"), Buffer.alloc(10)]);
const EPISODE = Buffer.concat([ID3, ...Array.from({ length: 300 }, () => FRAME)]);
const LIMITS = { maxRequestBytes: 50_000, chunkBytes: 40_000 };

let site: FixtureServer;
let fetch: SafeFetch;
beforeAll(async () => {
  const root = mkdtempSync(path.join(tmpdir(), "chunks-"));
  writeFileSync(path.join(root, "episode.mp3"), EPISODE);
  writeFileSync(path.join(root, "episode.m4a"), EPISODE);
  mkdirSync(path.join(root, "norange"));
  writeFileSync(path.join(root, "norange", "episode.mp3"), EPISODE);
  site = await startFixtureServer(root);
  fetch = createSafeFetch({ allowlist: [site.hostPort] });
});
afterAll(() => site.close());

/** Records what it was sent; answers "part N" with a 10-second segment; can fail on chosen calls. */
function recordingTranscriber(failOnPart?: number): Transcriber & { calls: TranscribeInput[] } {
  const calls: TranscribeInput[] = [];
  return {
    model: "whisper-test",
    calls,
    async transcribe(input) {
      calls.push(input);
      const part = Number(/part-(\d+)/.exec(input.filename)?.[1]);
      if (part === failOnPart) throw new Error("upstream hiccup");
      return { source: "openai", text: `part ${part}`, segments: [{ start: 0, end: 10, text: `part ${part}` }] };
    },
  };
}

const media = (file: string) => ({ kind: "audio" as const, url: `${site.origin}/${file}` });

describe("transcribing media longer than one request allows", () => {
  it("splits an MP3 at frame boundaries with Range requests and joins the parts in time order", async () => {
    const transcriber = recordingTranscriber();
    const reports: [number, number, string][] = [];
    const transcript = await transcribeInChunks(
      media("episode.mp3"),
      "en",
      { fetch, transcriber, store: memoryTranscriptCache() },
      (...r) => reports.push(r),
      LIMITS,
    );
    expect(transcriber.calls).toHaveLength(Math.ceil(EPISODE.length / LIMITS.chunkBytes));
    expect(transcriber.calls.every((c) => c.audio.byteLength <= LIMITS.chunkBytes)).toBe(true);
    expect(transcriber.calls.slice(1).every((c) => c.audio[0] === 0xff && c.audio[1] === 0xfb)).toBe(true);
    expect(transcript.text).toBe("part 1 part 2 part 3 part 4");
    expect(transcript.segments?.map((s) => s.start)).toEqual([0, 10, 20, 30]);
    expect(reports.at(-1)).toEqual([4, 4, "part"]);
  });

  it("is what the transcribe stage does with a file over the request limit", async () => {
    const transcriber = recordingTranscriber();
    const episode = media("episode.mp3");
    const transcript = await transcribeStage(
      { media: [episode], primary: episode },
      extractedFixture({ lang: "en" }),
      { fetch, transcriber, store: memoryTranscriptCache() },
      () => {},
      LIMITS,
    );
    expect(transcript?.text).toBe("part 1 part 2 part 3 part 4");
    expect(transcriber.calls.map((c) => c.lang)).toEqual(["en", "en", "en", "en"]);
  });

  it("resumes after a failure without transcribing the finished parts again", async () => {
    const cache = memoryTranscriptCache();
    const deps = (transcriber: Transcriber) => ({ fetch, transcriber, store: cache });
    const first = recordingTranscriber(3);
    await expect(transcribeInChunks(media("episode.mp3"), null, deps(first), () => {}, LIMITS)).rejects.toThrow(
      "upstream hiccup",
    );
    const second = recordingTranscriber();
    const transcript = await transcribeInChunks(media("episode.mp3"), null, deps(second), () => {}, LIMITS);
    expect(second.calls.map((c) => c.filename)).toEqual(["part-3-of-4.mp3", "part-4-of-4.mp3"]);
    expect(transcript.text).toBe("part 1 part 2 part 3 part 4");
  });

  it("names why long media cannot be split: not MP3, or no range support", async () => {
    const deps = { fetch, transcriber: recordingTranscriber(), store: memoryTranscriptCache() };
    await expect(transcribeInChunks(media("episode.m4a"), null, deps, () => {}, LIMITS)).rejects.toMatchObject({
      reason: "too_large",
      message: expect.stringContaining("not MP3"),
    });
    await expect(transcribeInChunks(media("norange/episode.mp3"), null, deps, () => {}, LIMITS)).rejects.toMatchObject({
      reason: "too_large",
      message: expect.stringContaining("in parts"),
    });
    expect(deps.transcriber.calls).toHaveLength(0);
  });
});
