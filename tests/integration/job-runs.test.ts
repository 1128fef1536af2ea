import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { parseConfig } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { createInlineRunner } from "@/lib/jobs/inline-runner";
import { markJobFailed } from "@/lib/jobs/lifecycle";
import type { JobDispatch, JobRunner } from "@/lib/jobs/runner";
import { openRun } from "@/lib/jobs/runs";
import { cancelJob, retryJob, submitJob } from "@/lib/jobs/service";
import { sweepStaleJobs } from "@/lib/jobs/sweep";
import { transition } from "@/lib/jobs/transitions";
import type { PipelineDeps } from "@/lib/pipeline/types";
import type { Summarizer } from "@/lib/ports";
import { createProgressKv } from "@/lib/progress";
import type { ProgressKv } from "@/lib/progress/kv";
import { createPostgresExecutor } from "@/lib/store/sql";
import { createSqlStore } from "@/lib/store/sql-store";
import type { Store } from "@/lib/store/store";
import { SITE_DIR } from "../helpers/fixture-server";
import { fixtureFetch, quietLogger, singleCallSummarizer, testReader } from "../helpers/pipeline-fixtures";
import { POSTGRES_URL, serviceAvailable } from "../helpers/services";
import { article } from "./store-fixtures";

/**
 * The job state machine under concurrency, on real PostgreSQL (parallel statements on a pool of connections):
 * parallel retries, cancel-then-retry, retry during cancel, two runners on one job, an expired lease taken over and a
 * live one refused, and a paused runner whose job was taken over writing nothing.
 */

const ready = await serviceAvailable("postgres");
const admin = postgres(POSTGRES_URL, { max: 1, onnotice: () => undefined });
const dbName = `as_runs_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
let store: Store;
let db: postgres.Sql;
let kv: ProgressKv;
const dispatched: JobDispatch[] = [];
const runner: JobRunner = {
  kind: "inngest",
  async dispatch(job) {
    dispatched.push(job);
  },
  async cancel() {},
  async ping() {
    return true;
  },
};
const config = parseConfig({ FETCH_ALLOWLIST: "runs.test" });
const services = () => ({ store, kv, runner, now: Date.now, config, logger: quietLogger });
const deps = () => ({ store, kv, now: Date.now, logger: quietLogger });

beforeAll(async () => {
  if (!ready) return;
  await admin.unsafe(`create database ${dbName}`);
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${dbName}`;
  store = await createSqlStore(createPostgresExecutor(url.toString(), { poolMax: 10 }));
  db = postgres(url.toString(), { max: 1, onnotice: () => undefined });
  kv = createProgressKv({ kind: "memory" });
}, 60_000);
afterAll(async () => {
  if (ready) {
    await db.end();
    await store.close();
    await admin.unsafe(`drop database if exists ${dbName} with (force)`);
  }
  await admin.end();
});

let n = 0;
async function runningJob(token = randomUUID(), leaseMs = 30_000) {
  const { jobId } = await submitJob({ url: `http://runs.test/${++n}`, force: true }, services(), { resolve: false });
  const opened = await openRun(jobId, token, deps(), { leaseMs });
  expect(opened.started).toBe(true);
  return { jobId, token };
}

async function failedJob() {
  const { jobId, token } = await runningJob();
  expect(await markJobFailed(jobId, new AppError("http_error", "down"), deps(), { as: "fail", token })).toBe(true);
  return jobId;
}

const queuedEvents = async (jobId: string) =>
  (await kv.readAfter(jobId, 0, 500)).filter((e) => e.type === "job.queued").length;

describe.skipIf(!ready)("job state machine on PostgreSQL", () => {
  it("lets exactly one of 8 parallel retries win; the others hear 409 with the current state", async () => {
    for (let trial = 0; trial < 3; trial++) {
      const jobId = await failedJob();
      const before = dispatched.length;
      const outcomes = await Promise.allSettled(Array.from({ length: 8 }, () => retryJob(jobId, services())));
      const won = outcomes.filter((o) => o.status === "fulfilled");
      expect(won).toHaveLength(1);
      for (const o of outcomes) {
        if (o.status === "rejected") {
          expect(o.reason).toBeInstanceOf(AppError);
          expect((o.reason as AppError).toPublic()).toMatchObject({ reason: "conflict", current: "queued" });
        }
      }
      expect(dispatched.length - before).toBe(1);
      // One job.queued from the submit, one from the winning retry.
      expect(await queuedEvents(jobId)).toBe(2);
      expect((await store.getJob(jobId))?.attempts).toBe(1);
    }
  });

  it("refuses every write of a cancelled run once the job was retried, and leaves the new run's lease alone", async () => {
    const { jobId, token: first } = await runningJob();
    await cancelJob(jobId, services());
    await retryJob(jobId, services());
    const second = randomUUID();
    expect((await openRun(jobId, second, deps(), { leaseMs: 30_000 })).started).toBe(true);

    // The cancelled run's in-flight step ends now: each of its writes is refused.
    expect(await store.saveStepResult(jobId, jobId, "summarize", { x: 1 }, first)).toBe(false);
    expect((await transition(store, "record", jobId, { token: first, patch: { step: "save" } })).ok).toBe(false);
    const late = article();
    const completed = await store.completeRun(jobId, first, { article: late, patch: { step: "save" } });
    expect(completed.ok).toBe(false);
    expect(await store.getArticleByCanonicalUrl(late.canonicalUrl)).toBeNull();
    await store.releaseJob(jobId, first);
    expect((await store.leaseJob(jobId, first, 30_000, "renew")).held).toBe(false);

    // The new run still holds the job, lease included.
    const [row] = await db<{ status: string; run_token: string; lease_until: Date | null }[]>`
      select status, run_token, lease_until from jobs where id = ${jobId}`;
    expect(row).toMatchObject({ status: "running", run_token: second });
    expect(row?.lease_until).not.toBeNull();
    expect((await store.leaseJob(jobId, second, 30_000, "renew")).held).toBe(true);
    expect(await store.saveStepResult(jobId, jobId, "fetch", { ok: true }, second)).toBe(true);
  });

  it("never leaves a job half-cancelled and half-retried when cancel and retry race", async () => {
    for (let trial = 0; trial < 10; trial++) {
      const { jobId } = await runningJob();
      const [cancel, retry] = await Promise.allSettled([cancelJob(jobId, services()), retryJob(jobId, services())]);
      expect(cancel.status).toBe("fulfilled");
      const job = await store.getJob(jobId);
      expect(job?.runToken).toBeUndefined();
      if (retry.status === "fulfilled") {
        expect(job?.status).toBe("queued");
        expect(job?.attempts).toBe(1);
      } else {
        expect((retry.reason as AppError).reason).toBe("conflict");
        expect(job?.status).toBe("cancelled");
        expect(job?.attempts).toBe(0);
      }
    }
  });

  it("lets one of two runners start a queued job; takes over an expired lease and refuses a live one", async () => {
    const { jobId } = await submitJob({ url: "http://runs.test/two-runners", force: true }, services(), {
      resolve: false,
    });
    const [a, b] = await Promise.all([
      openRun(jobId, "runner-a", deps(), { leaseMs: 30_000 }),
      openRun(jobId, "runner-b", deps(), { leaseMs: 30_000 }),
    ]);
    expect([a.started, b.started].filter(Boolean)).toHaveLength(1);
    const holder = a.started ? "runner-a" : "runner-b";
    // A live lease: a third runner is refused.
    expect((await openRun(jobId, "runner-c", deps(), { leaseMs: 30_000 })).started).toBe(false);
    // Its lease runs out (the runner stopped): the next runner takes over, and says so in the progress log.
    await db`update jobs set lease_until = now() - interval '1 second' where id = ${jobId}`;
    const takeover = await openRun(jobId, "runner-c", deps(), { leaseMs: 30_000 });
    expect(takeover).toMatchObject({ started: true, takeovers: 1 });
    expect((await kv.readAfter(jobId, 0, 100)).at(-1)).toMatchObject({ type: "job.queued", data: { takeover: true } });
    expect((await store.leaseJob(jobId, holder, 30_000, "renew")).held).toBe(false);
  });

  it("refuses a paused runner's writes after its lease ran out and another took over", async () => {
    const { jobId, token: paused } = await runningJob(randomUUID(), 200);
    await new Promise((r) => setTimeout(r, 400));
    const taker = randomUUID();
    expect((await openRun(jobId, taker, deps(), { leaseMs: 30_000 })).started).toBe(true);

    // The paused runner resumes and finishes its step: nothing it writes is applied, and it ends no run.
    expect((await store.leaseJob(jobId, paused, 30_000, "renew")).held).toBe(false);
    expect(await store.saveStepResult(jobId, jobId, "summarize", { stale: true }, paused)).toBe(false);
    expect(await store.loadStepResults(jobId, jobId)).toEqual({});
    expect((await store.completeRun(jobId, paused, { article: article(), patch: {} })).ok).toBe(false);
    const events = (await kv.readAfter(jobId, 0, 100)).length;
    expect(await markJobFailed(jobId, new AppError("timeout", "late"), deps(), { as: "fail", token: paused })).toBe(
      false,
    );
    expect(await kv.readAfter(jobId, 0, 100)).toHaveLength(events);
    expect((await store.getJob(jobId))?.status).toBe("running");
    // The run that holds it completes, article and job in one statement.
    const done = await store.completeRun(jobId, taker, {
      article: article(),
      patch: { step: "save" },
    });
    expect(done.ok).toBe(true);
    expect(done.job).toMatchObject({ status: "completed", articleId: done.article?.id });
  });

  it("fails a job whose dispatch failed with a named reason and a terminal event", async () => {
    const refusing: JobRunner = {
      ...runner,
      async dispatch() {
        throw new Error("connect ECONNREFUSED 127.0.0.1:8288");
      },
    };
    const failure = await submitJob(
      { url: "http://runs.test/dispatch", force: true },
      { ...services(), runner: refusing },
      { resolve: false },
    ).then(
      () => null,
      (error: unknown) => error as AppError,
    );
    expect(failure?.reason).toBe("dispatch_failed");
    const [job] = await store
      .listJobs({ status: "failed" })
      .then((jobs) => jobs.filter((j) => j.url.endsWith("/dispatch")));
    expect(job).toMatchObject({ status: "failed", reason: "dispatch_failed" });
    expect((await kv.readAfter(job?.id ?? "", 0, 10)).at(-1)).toMatchObject({
      type: "job.failed",
      reason: "dispatch_failed",
    });
  });
});

describe.skipIf(!ready)("an inline run whose runner stopped", () => {
  const page = "http://runs.test/stopped-runner";
  const summary = async () => ({
    summary: { tldr: "t", keyPoints: ["k"], markdown: "m", tags: [] },
    provenance: {
      model: "fake",
      promptVersion: "v",
      path: "single" as const,
      inputTokens: 1,
      outputTokens: 1,
      costUsd: null,
    },
  });
  const inline = (fetch: PipelineDeps["fetch"], summarizer: Summarizer, s: Store, leaseMs: number) =>
    createInlineRunner(
      async (): Promise<PipelineDeps> => ({
        fetch,
        store: s,
        kv,
        summarizer,
        now: Date.now,
        reader: testReader,
        logger: quietLogger,
      }),
      { leaseMs, retries: 0 },
    );

  it("is resumed by the sweep from its saved steps: earlier stages are never called again", async () => {
    const html = readFileSync(path.join(SITE_DIR, "article.html"));
    // The first runner stops inside the summarize step: its heartbeat no longer renews (a frozen or dead process).
    const frozen: Store = { ...store, leaseJob: async () => ({ held: true, takeovers: 0 }) };
    const firstFetch = fixtureFetch({ [page]: html });
    const hang = vi.fn(() => new Promise<never>(() => undefined));
    const first = inline(firstFetch, singleCallSummarizer({ model: "fake", summarize: hang }), frozen, 500);
    const { jobId } = await submitJob({ url: page, force: true }, { ...services(), runner: first }, { resolve: false });
    for (let i = 0; i < 1200 && hang.mock.calls.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(hang).toHaveBeenCalledTimes(1);
    await new Promise((r) => setTimeout(r, 700));

    // The sweep finds the job with a lease that ran out and resumes it in another runner.
    const fetchAgain = fixtureFetch({ [page]: html });
    const summarize = vi.fn(summary);
    const second = inline(fetchAgain, singleCallSummarizer({ model: "fake", summarize }), store, 30_000);
    const swept = await sweepStaleJobs({ ...services(), runner: second });
    expect(swept.resumed).toBeGreaterThanOrEqual(1);
    await second.wait(jobId);

    expect(fetchAgain).not.toHaveBeenCalled();
    expect(summarize).toHaveBeenCalledTimes(1);
    expect(await store.getJob(jobId)).toMatchObject({ status: "completed", articleId: expect.any(String) });
    const events = await kv.readAfter(jobId, 0, 500);
    expect(events.filter((e) => e.type === "job.queued").at(-1)).toMatchObject({ data: { takeover: true } });
    expect(events.at(-1)).toMatchObject({ type: "job.completed" });
    // The stopped run's steps ran once: fetch, detect and extract came from the store.
    expect(firstFetch).toHaveBeenCalledTimes(1);
  }, 180_000);
});
