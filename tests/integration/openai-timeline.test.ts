import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOpenAIClient } from "@/lib/ai/openai";
import { createOpenAISummarizer, summarizeInProcess } from "@/lib/ai/openai-summarizer";
import { createOpenAITranscriber } from "@/lib/ai/openai-transcriber";
import type { Detected, Transcript } from "@/lib/domain";
import { createSafeFetch } from "@/lib/net/safe-fetch";
import { type ChunkingConfig, DEFAULT_CHUNKING } from "@/lib/pipeline/chunk-plan";
import { transcribeStage } from "@/lib/pipeline/transcribe";
import { type FakeOpenAI, startFakeOpenAI } from "../helpers/fake-openai";
import { type FixtureServer, startFixtureServer } from "../helpers/fixture-server";
import { extractedFixture, memoryTranscriptCache } from "../helpers/pipeline-fixtures";
import { hearEpisode, type SpokenEpisode, synthesizeSpokenEpisode } from "../helpers/spoken-episode";

const servicesRequired = process.env.REQUIRE_SERVICES === "1";
const hasEspeak = (() => {
  try {
    execFileSync("espeak-ng", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    if (servicesRequired) throw new Error("espeak-ng is required (REQUIRE_SERVICES=1)");
    return false;
  }
})();

let dir: string;
let site: FixtureServer;
let llm: FakeOpenAI;
let episode: SpokenEpisode;
beforeAll(async () => {
  if (!hasEspeak) return;
  dir = mkdtempSync(path.join(tmpdir(), "spoken-"));
  episode = synthesizeSpokenEpisode(dir, "episode", 40);
  site = await startFixtureServer(dir);
  llm = await startFakeOpenAI({
    transcribe: async (upload) => {
      const heard = hearEpisode(episode, upload);
      return heard ? { status: 200, body: heard } : { status: 400, body: { error: { message: "not the episode" } } };
    },
  });
}, 120_000);
afterAll(async () => {
  await llm?.close();
  await site?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const CHUNKING: ChunkingConfig = { ...DEFAULT_CHUNKING, chunkSeconds: 300 };

async function transcribe(model: string): Promise<Transcript> {
  const fetch = createSafeFetch({ allowlist: [site.hostPort] });
  const transcriber = createOpenAITranscriber(createOpenAIClient({ apiKey: "sk", baseURL: llm.url }), model);
  const detected: Detected = {
    media: [],
    primary: { kind: "audio", url: `${site.origin}/episode.wav`, type: "audio/wav" },
  };
  const transcript = await transcribeStage(
    detected,
    extractedFixture(),
    { fetch, transcriber, store: memoryTranscriptCache() },
    () => undefined,
    CHUNKING,
  );
  if (!transcript) throw new Error("no transcript");
  return transcript;
}

describe.skipIf(!hasEspeak)("a model without timestamps keeps a timeline", () => {
  it("short windows, each a segment at its cut start, overlap said once, chapters kept", async () => {
    expect(episode.seconds).toBeGreaterThan(150);
    llm.requests.length = 0;
    const transcript = await transcribe("gpt-4o-mini-transcribe");
    const segments = transcript.segments ?? [];
    expect(segments.length).toBe(Math.ceil((episode.seconds - 1) / 118));
    for (const s of segments) expect(s.end - s.start).toBeLessThanOrEqual(120);
    expect(segments[0]?.start).toBe(0);
    // Every sentence exactly once, in order, though the 2 s overlaps were heard twice.
    const words = transcript.text;
    for (const sentence of episode.sentences) expect(words.split(sentence.text), sentence.text).toHaveLength(2);
    // Billed: the audio sent (usage in tokens, priced by the model's token prices).
    expect(transcript.billing?.seconds).toBeGreaterThan(episode.seconds);
    expect(transcript.billing?.costUsd).toBeGreaterThan(0);

    const summarizer = createOpenAISummarizer(createOpenAIClient({ apiKey: "sk", baseURL: llm.url }), {
      model: "gpt-4o-mini",
      baseURL: llm.url,
    });
    const result = await summarizeInProcess(summarizer, {
      title: "Harbor talk",
      text: "",
      transcript,
      lang: "en",
      url: `${site.origin}/episode.wav`,
      durationSec: episode.seconds,
    });
    expect(result.summary.chapters?.length).toBeGreaterThan(0);
    for (const chapter of result.summary.chapters ?? []) expect(segments.map((s) => s.start)).toContain(chapter.start);
  }, 120_000);
});
