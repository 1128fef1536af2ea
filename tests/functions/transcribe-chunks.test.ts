import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { InngestTestEngine } from "@inngest/test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProcessArticle } from "@/inngest/functions/process-article";
import { createExtractiveSummarizer } from "@/lib/ai/extractive-summarizer";
import { AppError } from "@/lib/errors";
import { createSafeFetch } from "@/lib/net/safe-fetch";
import { DEFAULT_CHUNKING } from "@/lib/pipeline/chunk-plan";
import type { PipelineDeps } from "@/lib/pipeline/types";
import type { TranscribeInput, Transcriber } from "@/lib/ports";
import { createProgressKv } from "@/lib/progress";
import type { ProgressKv } from "@/lib/progress/kv";
import { createStore } from "@/lib/store";
import type { Store } from "@/lib/store/store";
import { type FixtureServer, startFixtureServer } from "../helpers/fixture-server";
import { oneRunId } from "../helpers/inngest-test-run";
import { quietLogger, testReader } from "../helpers/pipeline-fixtures";
import { hasFfmpeg, synthesizeToneEpisode } from "../helpers/tone-audio";

const ffmpeg = hasFfmpeg();
let dir: string;
let site: FixtureServer;
let store: Store;
let kv: ProgressKv;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "as-fn-chunks-"));
  store = await createStore({ kind: "pglite", dir: path.join(dir, "db") });
  kv = createProgressKv({ kind: "memory" });
  if (!ffmpeg) return;
  synthesizeToneEpisode(dir, "episode", "m4a", { seconds: 150, windowSeconds: 5, silent: [] });
  site = await startFixtureServer(dir);
}, 120_000);
afterAll(async () => {
  await site?.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Answers every window with one segment at its start; fails the chosen chunk while `failing` is set. */
function windowTranscriber(failing: { chunk?: number }): Transcriber & { calls: string[] } {
  const calls: string[] = [];
  return {
    model: "whisper-1",
    calls,
    async transcribe(input: TranscribeInput) {
      calls.push(input.filename);
      const chunk = Number(/chunk-(\d+)-of/.exec(input.filename)?.[1]);
      if (chunk === failing.chunk) throw new AppError("transcription_failed", "upstream 503", { retriable: true });
      const text = `In part ${chunk} of the episode the town library reopens in the old mill office by the river.`;
      return { source: "openai", text, segments: [{ start: 3, end: 4, text }] };
    },
  };
}

const summarizer = createExtractiveSummarizer();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function windowsCached(cache: Store, mediaUrl: string, starts: number[]): Promise<boolean> {
  for (const start of starts) {
    const key = { mediaUrl, startSec: Math.max(0, start - 2), endSec: start + 50, model: "whisper-1" };
    if (!(await cache.getTranscriptChunk(key))) return false;
  }
  return true;
}

describe.skipIf(!ffmpeg)("transcription chunks as Inngest steps", () => {
  it("runs one step per window with stable ids, and a resumed run re-runs only the failed window", async () => {
    const jobId = `job_chunks_${Date.now()}`;
    const url = `${site.origin}/episode.m4a`;
    await store.createJob({ id: jobId, url, canonicalUrl: url, force: true });
    const transcriber = windowTranscriber({ chunk: 3 });
    const deps: PipelineDeps = {
      fetch: createSafeFetch({ allowlist: [site.hostPort] }),
      store,
      kv,
      summarizer,
      transcriber,
      now: Date.now,
      reader: testReader,
      logger: quietLogger,
      chunking: { ...DEFAULT_CHUNKING, chunkSeconds: 50 },
    };
    const engine = (runDeps: PipelineDeps) =>
      new InngestTestEngine({
        function: createProcessArticle(async () => runDeps),
        events: [{ name: "article/submitted", data: { jobId, url, force: true, runKey: jobId } }],
        ...oneRunId(),
      });

    const first = await engine(deps).execute();
    expect(first.error).toBeDefined();
    const ids = first.ctx.step.run.mock.calls.map((call) => String(call[0]));
    expect(ids).toEqual(expect.arrayContaining(["transcribe:chunk:0", "transcribe:chunk:1", "transcribe:chunk:2"]));
    expect(ids).not.toContain("transcribe:stitch");
    expect(transcriber.calls).toContain("chunk-3-of-3.m4a");
    const failed = (await kv.readAfter(jobId, 0, 500)).find((e) => e.type === "step.failed");
    expect(failed).toMatchObject({ step: "transcribe", reason: "transcription_failed" });
    expect(failed?.message).toMatch(/^Chunk 3 of 3 \(1:40–2:30\) failed/);

    // The next attempt, as Inngest runs it: the stages and the chunk steps that succeeded are memoized.
    const runSpy = first.ctx.step.run;
    const stages = await Promise.all(
      ["fetch", "detect", "extract", "transcribe"].map(async (id) => {
        const i = runSpy.mock.calls.findIndex((call) => call[0] === id);
        return { id, output: await runSpy.mock.results[i]?.value };
      }),
    );
    const chunkSteps = [0, 1].map((index) => ({
      id: `transcribe:chunk:${index}`,
      output: { index, seconds: 50, segments: 1, cached: false },
    }));
    // The engine may still be finishing the first run's other windows: the store has them once they are done.
    for (let i = 0; i < 100 && !(await windowsCached(store, url, [0, 50])); i++) await sleep(100);
    const healthy = windowTranscriber({});
    const second = await engine({ ...deps, transcriber: healthy }).execute({
      steps: [...stages, ...chunkSteps].map((s) => ({ id: s.id, handler: () => s.output })),
    });
    expect(second.error).toBeUndefined();
    expect(healthy.calls).toEqual(["chunk-3-of-3.m4a"]);
    const ran = second.ctx.step.run.mock.calls.map((call) => String(call[0]));
    expect(ran).toContain("transcribe:stitch");
    const article = await store.getArticle((second.result as { articleId: string }).articleId);
    expect(article?.transcript?.segments?.map((s) => Math.round(s.start))).toEqual([3, 51, 101]);
    const progress = (await kv.readAfter(jobId, 0, 500)).filter(
      (e) => e.type === "step.progress" && e.step === "transcribe",
    );
    // The first run's engine may still be publishing its windows' events: the resumed run's chunk is found by name.
    const chunkOf = (e: (typeof progress)[number]) => (e.data as { chunk?: number } | undefined)?.chunk;
    const third = progress.find((e) => chunkOf(e) === 3);
    expect(third).toMatchObject({
      progress: { done: 3, total: 3, unit: "chunk" },
      data: { minutesTranscribed: 2.5, chunk: 3, reused: false },
    });
    // The plan announces its chunks before any is done; each chunk's event names it (1-based), in the run's attempt.
    expect(progress[0]).toMatchObject({ progress: { done: 0, total: 3, unit: "chunk" } });
    expect(progress[0]?.data).toBeUndefined();
    // Each paid window also reports the job's spend so far (here unknown: these windows carry no billing).
    const spentOf = (e: (typeof progress)[number]) => (e.data as { spentUsd?: number | null } | undefined)?.spentUsd;
    const windows = progress.slice(1).filter((e) => spentOf(e) === undefined);
    expect(new Set(windows.map(chunkOf))).toEqual(new Set([1, 2, 3]));
    expect(progress.filter((e) => spentOf(e) !== undefined).map(spentOf)).toContain(null);
    const transcribe = (await kv.readAfter(jobId, 0, 500)).filter((e) => e.step === "transcribe");
    expect(new Set(transcribe.map((e) => e.attempt))).toEqual(new Set([1]));
    // The stage stays open across its chunk steps: completed once, by the stitch step, after the last chunk.
    const completed = transcribe.filter((e) => e.type === "step.completed");
    expect(completed).toHaveLength(1);
    // …and started once: the chunk and stitch steps continue it.
    expect(transcribe.filter((e) => e.type === "step.started")).toHaveLength(1);
    expect(completed[0]?.seq).toBeGreaterThan(third?.seq ?? Number.POSITIVE_INFINITY);
    expect(completed[0]?.data).toBeUndefined();
  }, 60_000);
});
