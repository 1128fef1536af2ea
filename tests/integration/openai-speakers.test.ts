import { describe, expect, it } from "vitest";
import { createOpenAIClient } from "@/lib/ai/openai";
import { createOpenAITranscriber } from "@/lib/ai/openai-transcriber";
import type { Detected } from "@/lib/domain";
import { createSafeFetch } from "@/lib/net/safe-fetch";
import { DEFAULT_CHUNKING } from "@/lib/pipeline/chunk-plan";
import { transcribeStage } from "@/lib/pipeline/transcribe";
import { paragraphsOf } from "@/lib/ui/article";
import { parseUpload } from "../helpers/fake-openai";
import { extractedFixture, memoryTranscriptCache } from "../helpers/pipeline-fixtures";
import { hasEspeak, spokenEpisodeSuite } from "../helpers/spoken-episode-server";

const spoken = spokenEpisodeSuite(40);

describe.skipIf(!hasEspeak)("speakers with gpt-4o-transcribe-diarize", () => {
  it("labels stay the same person across windows, named after clips from the first window", async () => {
    spoken.llm.requests.length = 0;
    const fetch = createSafeFetch({ allowlist: [spoken.site.hostPort] });
    const transcriber = createOpenAITranscriber(
      createOpenAIClient({ apiKey: "sk", baseURL: spoken.llm.url }),
      "gpt-4o-transcribe-diarize",
    );
    const detected: Detected = {
      media: [],
      primary: { kind: "audio", url: `${spoken.site.origin}/episode.wav`, type: "audio/wav" },
    };
    const transcript = await transcribeStage(
      detected,
      extractedFixture(),
      { fetch, transcriber, store: memoryTranscriptCache() },
      () => undefined,
      { ...DEFAULT_CHUNKING, chunkSeconds: 50 },
    );
    const uploads = spoken.llm.requests
      .filter((r) => r.path.endsWith("/audio/transcriptions"))
      .map((r) => parseUpload(r.raw, r.headers["content-type"] ?? ""));
    expect(uploads.length).toBeGreaterThanOrEqual(4);
    expect(uploads[0]?.fields.get("known_speaker_names")).toBeUndefined();
    for (const upload of uploads.slice(1)) {
      expect(upload.fields.get("known_speaker_names")).toEqual(["Speaker 1", "Speaker 2"]);
      expect(upload.fields.get("known_speaker_references")).toHaveLength(2);
    }
    // One label per voice over the whole episode, and one voice per label.
    const labelOf = new Map<string, string>();
    const voiceOf = new Map<string, string>();
    for (const segment of transcript?.segments ?? []) {
      const voice = spoken.episode.sentences.find((s) => s.text === segment.text)?.speaker;
      expect(voice, segment.text).toBeDefined();
      expect(segment.speaker).toBeDefined();
      if (!voice || !segment.speaker) continue;
      expect(labelOf.get(voice) ?? segment.speaker, `${segment.start}s`).toBe(segment.speaker);
      expect(voiceOf.get(segment.speaker) ?? voice).toBe(voice);
      labelOf.set(voice, segment.speaker);
      voiceOf.set(segment.speaker, voice);
    }
    expect([...voiceOf.keys()].sort()).toEqual(["Speaker 1", "Speaker 2"]);
    // The transcript view says who speaks, a paragraph per turn.
    const paragraphs = paragraphsOf(transcript?.segments ?? []);
    expect(paragraphs[0]?.speaker).toBe("Speaker 1");
    for (let i = 1; i < paragraphs.length; i++) expect(paragraphs[i]?.speaker).not.toBe(paragraphs[i - 1]?.speaker);
  }, 120_000);
});
