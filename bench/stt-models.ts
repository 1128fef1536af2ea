/**
 * npm run bench:stt-models — one spoken episode (espeak-ng, two voices taking turns) through whisper-1,
 * gpt-4o-mini-transcribe and gpt-4o-transcribe-diarize against the spec-following fake OpenAI (it refuses what the
 * spec refuses and answers in each model's format, "hearing" the WAV cut it was sent): requests sent, windows,
 * longest segment, chapters kept of those asked for, speakers found (and whether each label is one voice), and the
 * recorded cost against the planned audio's list price. Prints JSON. Needs espeak-ng.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { resolveModel, sttCostUsd } from "@/lib/ai/models";
import { createOpenAIClient } from "@/lib/ai/openai";
import { createOpenAISummarizer, summarizeInProcess } from "@/lib/ai/openai-summarizer";
import { createOpenAITranscriber } from "@/lib/ai/openai-transcriber";
import type { Detected } from "@/lib/domain";
import { createSafeFetch } from "@/lib/net/safe-fetch";
import { DEFAULT_CHUNKING } from "@/lib/pipeline/chunk-plan";
import { transcribeStage } from "@/lib/pipeline/transcribe";
import { startFakeOpenAI } from "../tests/helpers/fake-openai";
import { startFixtureServer } from "../tests/helpers/fixture-server";
import { extractedFixture, memoryTranscriptCache } from "../tests/helpers/pipeline-fixtures";
import { hearEpisode, synthesizeSpokenEpisode } from "../tests/helpers/spoken-episode";

const arg = (name: string, fallback: number) =>
  Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);
const TURNS = arg("turns", 130);
const CHAPTERS = arg("chapters", 10);
const MODELS = ["whisper-1", "gpt-4o-mini-transcribe", "gpt-4o-transcribe-diarize"];

const dir = mkdtempSync(path.join(os.tmpdir(), "bench-stt-models-"));
const episode = synthesizeSpokenEpisode(dir, "episode", TURNS);
const site = await startFixtureServer(dir);
const llm = await startFakeOpenAI({
  transcribe: async (upload) => {
    const heard = hearEpisode(episode, upload);
    return heard ? { status: 200, body: heard } : { status: 400, body: { error: { message: "not the episode" } } };
  },
});
const fetch = createSafeFetch({ allowlist: [site.hostPort] });
const detected: Detected = {
  media: [],
  primary: { kind: "audio", url: `${site.origin}/episode.wav`, type: "audio/wav" },
};
// The chapters a model proposes, evenly spread: verification keeps those that land on distinct segment starts.
const asked = Array.from({ length: CHAPTERS }, (_, i) => ({
  start: Math.round((i * episode.seconds) / CHAPTERS),
  title: `Chapter ${i + 1}`,
}));

const results = [];
try {
  for (const model of MODELS) {
    llm.requests.length = 0;
    const transcriber = createOpenAITranscriber(createOpenAIClient({ apiKey: "sk", baseURL: llm.url }), model);
    const started = performance.now();
    const transcript = await transcribeStage(
      detected,
      extractedFixture(),
      { fetch, transcriber, store: memoryTranscriptCache() },
      () => undefined,
      DEFAULT_CHUNKING,
    );
    const wallMs = Math.round(performance.now() - started);
    if (!transcript) throw new Error(`${model}: no transcript`);
    const uploads = llm.requests.filter((r) => r.path.endsWith("/audio/transcriptions")).length;
    const segments = transcript.segments ?? [];
    const voiceOf = new Map<string, Set<string>>();
    for (const s of segments) {
      if (!s.speaker) continue;
      const voices = episode.sentences.filter((e) => s.text.includes(e.text)).map((e) => e.speaker);
      voiceOf.set(s.speaker, new Set([...(voiceOf.get(s.speaker) ?? []), ...voices]));
    }
    llm.setChat({ chapters: asked });
    const summary = await summarizeInProcess(
      createOpenAISummarizer(createOpenAIClient({ apiKey: "sk", baseURL: llm.url }), {
        model: "gpt-4o-mini",
        baseURL: llm.url,
      }),
      {
        title: "Harbor talk",
        text: "",
        transcript,
        lang: "en",
        url: detected.primary?.url ?? "",
        durationSec: episode.seconds,
      },
    );
    llm.setChat({});
    const missing = episode.sentences.filter((e) => transcript.text.split(e.text).length !== 2).length;
    results.push({
      model,
      requests: uploads,
      windows: uploads,
      segments: segments.length,
      longestSegmentSec: Number(Math.max(...segments.map((s) => s.end - s.start)).toFixed(1)),
      sentencesNotExactlyOnce: missing,
      chaptersKept: summary.summary.chapters?.length ?? 0,
      chaptersAsked: CHAPTERS,
      speakersFound: voiceOf.size,
      everyLabelOneVoice: [...voiceOf.values()].every((voices) => voices.size === 1),
      billedSeconds: Number((transcript.billing?.seconds ?? 0).toFixed(1)),
      recordedCostUsd: transcript.billing?.costUsd ?? null,
      plannedAudioCostUsd: sttCostUsd(resolveModel(model), episode.seconds),
      wallMs,
    });
  }
  process.stdout.write(
    `${JSON.stringify({ episode: { seconds: Number(episode.seconds.toFixed(1)), sentences: TURNS, voices: 2 }, results }, null, 2)}\n`,
  );
} finally {
  await llm.close();
  await site.close();
  rmSync(dir, { recursive: true, force: true });
}
