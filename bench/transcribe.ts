/**
 * npm run bench:transcribe — an N-window episode against a fake STT with latency L: wall time at concurrency 1 and c
 * (against N·L and ceil(N/c)·L), peak RSS above the process baseline while windows are cut, and the longest window
 * step. Prints JSON. Needs ffmpeg (synthesizes the episode).
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createOpenAIClient } from "@/lib/ai/openai";
import { createOpenAITranscriber } from "@/lib/ai/openai-transcriber";
import { createSafeFetch } from "@/lib/net/safe-fetch";
import { type ChunkingConfig, DEFAULT_CHUNKING } from "@/lib/pipeline/chunk-plan";
import { mapSteps } from "@/lib/pipeline/steps";
import { planTranscription, transcribeChunk } from "@/lib/pipeline/transcribe-chunks";
import type { StepRunner } from "@/lib/ports";
import { startFakeOpenAI } from "../tests/helpers/fake-openai";
import { startFixtureServer } from "../tests/helpers/fixture-server";
import { memoryTranscriptCache } from "../tests/helpers/pipeline-fixtures";
import { synthesizeToneEpisode } from "../tests/helpers/tone-audio";

const arg = (name: string, fallback: number) =>
  Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);
const N = arg("chunks", 8);
const L = arg("latency", 1000);
const C = arg("concurrency", 4);
const WINDOW = arg("window", 60);

const dir = mkdtempSync(path.join(os.tmpdir(), "bench-transcribe-"));
synthesizeToneEpisode(dir, "episode", "mp3", { seconds: N * WINDOW, windowSeconds: 20, silent: [] }, 16000);
const site = await startFixtureServer(dir);
const llm = await startFakeOpenAI({ latencyMs: L });
const fetch = createSafeFetch({ allowlist: [site.hostPort] });
const transcriber = createOpenAITranscriber(createOpenAIClient({ apiKey: "sk", baseURL: llm.url }), "whisper-1");
const media = { kind: "audio" as const, url: `${site.origin}/episode.mp3` };

async function run(concurrency: number) {
  const config: ChunkingConfig = { ...DEFAULT_CHUNKING, chunkSeconds: WINDOW, concurrency };
  const deps = { fetch, transcriber, store: memoryTranscriptCache() };
  const planned = await planTranscription(media, null, deps, config);
  if (planned.kind !== "plan") throw new Error("expected a plan");
  const step: StepRunner = { run: (_id, fn) => fn() };
  const stepMs: number[] = [];
  global.gc?.();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 5);
  const started = performance.now();
  await mapSteps(
    step,
    "chunk",
    planned.plan.windows,
    async (window) => {
      const t = performance.now();
      await transcribeChunk(planned.plan, window, deps, config);
      stepMs.push(performance.now() - t);
    },
    { concurrency },
  );
  const wallMs = performance.now() - started;
  clearInterval(sampler);
  return {
    concurrency,
    chunks: planned.plan.windows.length,
    wallMs: Math.round(wallMs),
    longestStepMs: Math.round(Math.max(...stepMs)),
    peakRssAboveBaselineMb: Math.round(((peak - baseline) / 1024 / 1024) * 10) / 10,
  };
}

try {
  const sequential = await run(1);
  const parallel = await run(C);
  const n = sequential.chunks;
  console.log(
    JSON.stringify(
      {
        episodeSeconds: N * WINDOW,
        windowSeconds: WINDOW,
        sttLatencyMs: L,
        sequential: { ...sequential, nTimesL: n * L },
        parallel: {
          ...parallel,
          ceilNOverCTimesL: Math.ceil(n / C) * L,
          ratio: Math.round((parallel.wallMs / (Math.ceil(n / C) * L)) * 100) / 100,
        },
      },
      null,
      2,
    ),
  );
} finally {
  await llm.close();
  await site.close();
  rmSync(dir, { recursive: true, force: true });
}
