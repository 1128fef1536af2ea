import { describe, expect, it } from "vitest";
import { createOpenAIClient } from "@/lib/ai/openai";
import { createOpenAISummarizer, summarizeInProcess } from "@/lib/ai/openai-summarizer";
import { createOpenAITranscriber } from "@/lib/ai/openai-transcriber";
import type { Detected, Transcript } from "@/lib/domain";
import { createSafeFetch } from "@/lib/net/safe-fetch";
import { type ChunkingConfig, DEFAULT_CHUNKING } from "@/lib/pipeline/chunk-plan";
import { transcribeStage } from "@/lib/pipeline/transcribe";
import { extractedFixture, memoryTranscriptCache } from "../helpers/pipeline-fixtures";
import { hasEspeak, spokenEpisodeSuite } from "../helpers/spoken-episode-server";

const spoken = spokenEpisodeSuite(40);

const CHUNKING: ChunkingConfig = { ...DEFAULT_CHUNKING, chunkSeconds: 300 };

async function transcribe(model: string): Promise<Transcript> {
  const fetch = createSafeFetch({ allowlist: [spoken.site.hostPort] });
  const transcriber = createOpenAITranscriber(createOpenAIClient({ apiKey: "sk", baseURL: spoken.llm.url }), model);
  const detected: Detected = {
    media: [],
    primary: { kind: "audio", url: `${spoken.site.origin}/episode.wav`, type: "audio/wav" },
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
    expect(spoken.episode.seconds).toBeGreaterThan(150);
    spoken.llm.requests.length = 0;
    const transcript = await transcribe("gpt-4o-mini-transcribe");
    const segments = transcript.segments ?? [];
    expect(segments.length).toBe(Math.ceil((spoken.episode.seconds - 1) / 118));
    for (const s of segments) expect(s.end - s.start).toBeLessThanOrEqual(120);
    expect(segments[0]?.start).toBe(0);
    // Every sentence exactly once, in order, though the 2 s overlaps were heard twice.
    const words = transcript.text;
    for (const sentence of spoken.episode.sentences) expect(words.split(sentence.text), sentence.text).toHaveLength(2);
    // Billed: the audio sent (usage in tokens, priced by the model's token prices).
    expect(transcript.billing?.seconds).toBeGreaterThan(spoken.episode.seconds);
    expect(transcript.billing?.costUsd).toBeGreaterThan(0);

    const summarizer = createOpenAISummarizer(createOpenAIClient({ apiKey: "sk", baseURL: spoken.llm.url }), {
      model: "gpt-4o-mini",
      baseURL: spoken.llm.url,
    });
    const result = await summarizeInProcess(summarizer, {
      title: "Harbor talk",
      text: "",
      transcript,
      lang: "en",
      url: `${spoken.site.origin}/episode.wav`,
      durationSec: spoken.episode.seconds,
    });
    expect(result.summary.chapters?.length).toBeGreaterThan(0);
    for (const chapter of result.summary.chapters ?? []) expect(segments.map((s) => s.start)).toContain(chapter.start);
  }, 120_000);
});
