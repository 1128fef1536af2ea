import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { parseConfig } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { createInlineRunner } from "@/lib/jobs/inline-runner";
import { cancelJob, getJobSnapshot, retryJob, submitJob } from "@/lib/jobs/service";
import type { SafeFetch } from "@/lib/net/types";
import type { PipelineDeps } from "@/lib/pipeline/types";
import type { Summarizer } from "@/lib/ports";
import { createProgressKv } from "@/lib/progress";
import type { ProgressKv } from "@/lib/progress/kv";
import { createStore } from "@/lib/store";
import type { Store } from "@/lib/store/store";
import { SITE_DIR } from "../helpers/fixture-server";
import { quietLogger, singleCallSummarizer, testReader } from "../helpers/pipeline-fixtures";

const ARTICLE_HTML = readFileSync(path.join(SITE_DIR, "article.html"));

/** Serves the fixture article for any URL; counts calls. The resolver is not consulted (allowlisted host). */
const fetchSpy = vi.fn<SafeFetch>(async (url) => ({
  url,
  status: 200,
  headers: { "content-type": "text/html; charset=utf-8" },
  contentType: "text/html; charset=utf-8",
  body: new Uint8Array(ARTICLE_HTML),
  bodyRead: true,
  redirects: [url],
}));

function summarizer(impl?: () => Promise<never>): Summarizer & { summarize: ReturnType<typeof vi.fn> } {
  const ok = async () => ({
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
  const fn = vi.fn(ok);
  if (impl) fn.mockImplementationOnce(impl);
  return singleCallSummarizer({ model: "fake", summarize: fn });
}

let store: Store;
let kv: ProgressKv;
let dir: string;
const config = parseConfig({ FETCH_ALLOWLIST: "articles.test" });

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "as-inline-"));
  store = await createStore({ kind: "pglite", dir: path.join(dir, "db") });
  kv = createProgressKv({ kind: "memory" });
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function setup(s: Summarizer, retries = 2) {
  const deps = (): PipelineDeps => ({
    fetch: fetchSpy,
    store,
    kv,
    summarizer: s,
    now: Date.now,
    reader: testReader,
    logger: quietLogger,
  });
  const runner = createInlineRunner(async () => deps(), { retries, backoffMs: () => 10 });
  return { runner, services: { store, kv, runner, now: Date.now, config, logger: quietLogger } };
}

describe("inline runner", () => {
  it("retries a transient failure from the failed stage only, with the next attempt number", async () => {
    fetchSpy.mockClear();
    const s = summarizer(async () => {
      throw new AppError("summarization_failed", "upstream 500");
    });
    const { runner, services } = setup(s);
    const { jobId } = await submitJob({ url: "http://articles.test/retry", force: true }, services, { resolve: false });
    await runner.wait(jobId);

    expect(fetchSpy).toHaveBeenCalledTimes(1);
    expect(s.summarize).toHaveBeenCalledTimes(2);
    const events = await kv.readAfter(jobId, 0, 100);
    const summarizeStarts = events.filter((e) => e.type === "step.started" && e.step === "summarize");
    expect(summarizeStarts.map((e) => e.attempt)).toEqual([1, 2]);
    expect((await getJobSnapshot(jobId, services)).status).toBe("completed");
  });

  it("stops at once on a permanent failure and can be retried from the app", async () => {
    const s = summarizer(async () => {
      throw new AppError("unsupported_content", "nope");
    });
    const { runner, services } = setup(s);
    const { jobId } = await submitJob({ url: "http://articles.test/permanent", force: true }, services, {
      resolve: false,
    });
    await runner.wait(jobId);
    expect(s.summarize).toHaveBeenCalledTimes(1);
    expect(await getJobSnapshot(jobId, services)).toMatchObject({ status: "failed", reason: "unsupported_content" });
    expect((await kv.readAfter(jobId, 0, 100)).at(-1)).toMatchObject({ type: "job.failed" });

    await retryJob(jobId, services);
    await runner.wait(jobId);
    expect(await getJobSnapshot(jobId, services)).toMatchObject({ status: "completed" });
  });

  it("returns the running job for a second submission of the same URL, and the saved article afterwards", async () => {
    const slow = summarizer();
    slow.summarize.mockImplementationOnce(async () => {
      await new Promise((r) => setTimeout(r, 300));
      return {
        summary: { tldr: "t", keyPoints: [], markdown: "m", tags: [] },
        provenance: { model: "f", promptVersion: "v", path: "single", inputTokens: 0, outputTokens: 0, costUsd: null },
      };
    });
    const { runner, services } = setup(slow);
    const url = "http://articles.test/dedupe?utm_source=newsletter";
    const first = await submitJob({ url }, services, { resolve: false });
    const second = await submitJob({ url: "http://articles.test/dedupe" }, services, { resolve: false });
    expect(second).toMatchObject({ jobId: first.jobId, created: false });
    await runner.wait(first.jobId);
    const third = await submitJob({ url }, services, { resolve: false });
    expect(third.articleId).toBe((await store.getJob(first.jobId))?.articleId);
  });

  it("cancels a running job and says so in the log", async () => {
    const slow = summarizer();
    slow.summarize.mockImplementationOnce(async () => {
      await new Promise((r) => setTimeout(r, 300));
      throw new AppError("summarization_failed", "late");
    });
    const { runner, services } = setup(slow);
    const { jobId } = await submitJob({ url: "http://articles.test/cancel", force: true }, services, {
      resolve: false,
    });
    await new Promise((r) => setTimeout(r, 50));
    await cancelJob(jobId, services);
    await runner.wait(jobId);
    expect(await getJobSnapshot(jobId, services)).toMatchObject({ status: "cancelled" });
    const events = await kv.readAfter(jobId, 0, 100);
    expect(events.filter((e) => e.type === "job.cancelled")).toHaveLength(1);
    expect(events.some((e) => e.type === "job.completed" || e.type === "job.failed")).toBe(false);
  });
});
