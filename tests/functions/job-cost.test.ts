import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { InngestTestEngine } from "@inngest/test";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createProcessArticle } from "@/inngest/functions/process-article";
import { AppError } from "@/lib/errors";
import { markJobFailed } from "@/lib/jobs/lifecycle";
import { transition } from "@/lib/jobs/transitions";
import { createSafeFetch } from "@/lib/net/safe-fetch";
import { DEFAULT_CHUNKING } from "@/lib/pipeline/chunk-plan";
import type { PipelineDeps } from "@/lib/pipeline/types";
import type { SummarizeResult, TranscribeInput, Transcriber } from "@/lib/ports";
import { createProgressKv } from "@/lib/progress";
import type { ProgressKv } from "@/lib/progress/kv";
import { createStore } from "@/lib/store";
import type { Store } from "@/lib/store/store";
import { costLabel, settleView } from "@/lib/ui/job-card";
import { applyEvents, emptyJobView } from "@/lib/ui/job-view";
import { type FixtureServer, startFixtureServer } from "../helpers/fixture-server";
import { oneRunId } from "../helpers/inngest-test-run";
import { quietLogger, singleCallSummarizer, testReader } from "../helpers/pipeline-fixtures";
import { hasFfmpeg, synthesizeToneEpisode } from "../helpers/tone-audio";

/**
 * Honest costs (issue 23): every paid step adds what it paid to the job row as it completes, inside its step, so a
 * job that paid for speech-to-text and then failed shows that cost; a memoized step or a cached window adds nothing
 * again; an unknown price makes the total unknown; and a completed job's total is what its steps recorded.
 */

const ffmpeg = hasFfmpeg();
let dir: string;
let site: FixtureServer;
let store: Store;
let kv: ProgressKv;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "as-fn-cost-"));
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

/**
 * Bills each window as OpenAI's response would: `prices[i]` for window i (null: the price is unknown); the `failing`
 * window (1-based) fails for good, unpaid.
 */
function billingTranscriber(prices: (number | null)[], failing?: number): Transcriber & { calls: string[] } {
  const calls: string[] = [];
  return {
    model: "whisper-1",
    calls,
    async transcribe(input: TranscribeInput) {
      calls.push(input.filename);
      const chunk = Number(/chunk-(\d+)-of/.exec(input.filename)?.[1]);
      if (chunk === failing) throw new AppError("transcription_failed", "refused", { retriable: false });
      const text = `In part ${chunk} of the episode the town library reopens in the old mill office by the river.`;
      const costUsd = prices[chunk - 1];
      if (costUsd === undefined) throw new Error(`no price for chunk ${chunk}`);
      return {
        source: "openai",
        text,
        segments: [{ start: 3, end: 4, text }],
        billing: { seconds: input.durationSec ?? 0, costUsd },
      };
    },
  };
}

const made = (costUsd: number | null): SummarizeResult => ({
  summary: { tldr: "A library reopens.", keyPoints: ["In the old mill"], markdown: "## TL;DR\nIt reopens.", tags: [] },
  provenance: { model: "fake-model", promptVersion: "test", path: "single", inputTokens: 10, outputTokens: 5, costUsd },
});

/** A summarizer that is down (a permanent failure, so the run ends at once), or answers at a price. */
const summarizer = (answer: SummarizeResult | "down") =>
  singleCallSummarizer({
    model: "fake-model",
    summarize: vi.fn(async () => {
      if (answer === "down") throw new AppError("summarization_failed", "the model is down", { retriable: false });
      return answer;
    }),
  });

let n = 0;
async function audioJob(transcriber: Transcriber, summarize: ReturnType<typeof summarizer>) {
  const jobId = `job_cost_${++n}_${Date.now()}`;
  // A media URL of its own per job: windows cached by another job would be reused, and cost this one nothing.
  const url = `${site.origin}/episode.m4a?job=${jobId}`;
  await store.createJob({ id: jobId, url, canonicalUrl: url, force: true });
  const deps: PipelineDeps = {
    fetch: createSafeFetch({ allowlist: [site.hostPort] }),
    store,
    kv,
    summarizer: summarize,
    transcriber,
    now: Date.now,
    reader: testReader,
    logger: quietLogger,
    // One window at a time: @inngest/test runs parallel steps in extra invocations that outlive `execute()` (a window
    // could be paid for twice there, as Inngest itself never does), so the counts below would race with them.
    chunking: { ...DEFAULT_CHUNKING, chunkSeconds: 80, concurrency: 1 },
  };
  const engine = (runDeps: PipelineDeps) =>
    new InngestTestEngine({
      function: createProcessArticle(async () => runDeps),
      events: [{ name: "article/submitted", data: { jobId, url, force: true, runKey: jobId } }],
      ...oneRunId(),
    });
  return { jobId, deps, engine };
}

/** Inngest's onFailure after the run's last attempt: the fail transition by the run that held the job. */
async function failAsInngestWould(jobId: string, error: unknown) {
  const job = await store.getJob(jobId);
  const failed = await markJobFailed(
    jobId,
    error instanceof AppError ? error : new AppError("internal", "failed", { cause: error }),
    { store, kv, logger: quietLogger, now: Date.now },
    { as: "fail", token: job?.runToken ?? null },
  );
  expect(failed).toBe(true);
}

/** What the job card shows, from the job's events settled against its row (as the admin page builds it). */
async function cardOf(jobId: string) {
  const job = await store.getJob(jobId);
  if (!job) throw new Error(`no job ${jobId}`);
  const events = applyEvents(emptyJobView(jobId), await kv.readAfter(jobId, 0, 1_000));
  return { events, view: settleView(events, { ...job, costUsd: job.costUsd ?? null }), job };
}

describe.skipIf(!ffmpeg)("what a job has spent, step by step", () => {
  it("a job that paid for two windows and then failed at summarize shows that cost; a memoized replay adds nothing", async () => {
    const transcriber = billingTranscriber([0.0025, 0.0035]);
    const { jobId, deps, engine } = await audioJob(transcriber, summarizer("down"));
    const run = engine(deps);
    const first = await run.execute();
    expect(first.error).toBeDefined();
    expect(transcriber.calls).toEqual(["chunk-1-of-2.m4a", "chunk-2-of-2.m4a"]);
    expect((await store.getJob(jobId))?.costUsd).toBeCloseTo(0.006, 9);

    // The same run replayed while it still holds the job, every step before the summary memoized (as Inngest
    // replays a run for its next step): the windows it paid for are not added again.
    const spy = first.ctx.step.run;
    const memoized = await Promise.all(
      spy.mock.calls
        .map((call, i) => ({ id: String(call[0]), i }))
        .filter(({ id }) => id !== "summarize")
        .map(async ({ id, i }) => ({ id, output: await spy.mock.results[i]?.value })),
    );
    expect(memoized.map((s) => s.id)).toEqual(
      expect.arrayContaining(["run", "transcribe:chunk:0", "transcribe:chunk:1", "transcribe:stitch"]),
    );
    const replay = await run.execute({ steps: memoized.map((s) => ({ id: s.id, handler: () => s.output })) });
    expect(replay.error).toBeDefined();
    expect(transcriber.calls).toHaveLength(2);
    expect((await store.getJob(jobId))?.costUsd).toBeCloseTo(0.006, 9);

    await failAsInngestWould(jobId, first.error);
    const { view, events, job } = await cardOf(jobId);
    expect(job.status).toBe("failed");
    expect(job.costUsd).toBeCloseTo(0.006, 9);
    // The events alone already said it (the card of a job watched live), and the row agrees.
    expect(events.costUsd).toBeCloseTo(0.006, 9);
    expect(view.status).toBe("failed");
    expect(costLabel(view)).toBe("$0.0060");
  });

  it("a retry reuses a paid window for nothing, and the completed total is what the steps recorded", async () => {
    const transcriber = billingTranscriber([0.0025, 0.0035], 2);
    const { jobId, deps, engine } = await audioJob(transcriber, summarizer("down"));
    const first = await engine(deps).execute();
    expect(first.error).toBeDefined();
    await failAsInngestWould(jobId, first.error);
    expect((await store.getJob(jobId))?.costUsd).toBeCloseTo(0.0025, 9);

    // The app's retry: a new run of the same job. The first window is cached: it is not paid for again.
    await transition(store, "retry", jobId, { patch: { reason: null, message: null, token: "clear", retry: true } });
    const healthy = billingTranscriber([0.0025, 0.0035]);
    const second = await engine({ ...deps, transcriber: healthy, summarizer: summarizer(made(0.0123)) }).execute();
    expect(second.error).toBeUndefined();
    expect(healthy.calls).toEqual(["chunk-2-of-2.m4a"]);

    const { view, job } = await cardOf(jobId);
    expect(job.status).toBe("completed");
    // The job's total over its runs: 0.0025 of speech-to-text in the first, 0.0035 + 0.0123 in the second.
    expect(job.costUsd).toBeCloseTo(0.0183, 9);
    const completed = (await kv.readAfter(jobId, 0, 1_000)).find((e) => e.type === "job.completed");
    expect(completed?.data).toMatchObject({ costUsd: job.costUsd });
    expect(costLabel(view)).toBe("$0.02");
    // The article's cost (what it is made of) agrees with what this job's steps recorded.
    const article = await store.getArticle((second.result as { articleId: string }).articleId);
    expect(article?.provenance.totalCostUsd).toBeCloseTo(job.costUsd ?? Number.NaN, 9);
  });

  it("an unknown price makes the job's cost unknown, never $0, and it stays unknown", async () => {
    const transcriber = billingTranscriber([0.0025, null]);
    const { jobId, deps, engine } = await audioJob(transcriber, summarizer(made(0.0123)));
    const result = await engine(deps).execute();
    expect(result.error).toBeUndefined();
    const { view, job } = await cardOf(jobId);
    expect(job.status).toBe("completed");
    expect(job.costUsd).toBeNull();
    expect(view.costUsd).toBeNull();
    expect(costLabel(view)).toBe("unknown");
    const article = await store.getArticle((result.result as { articleId: string }).articleId);
    expect(article?.provenance.totalCostUsd).toBeNull();
  });
});
