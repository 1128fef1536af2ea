import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { AppError } from "@/lib/errors";
import type { PipelineDeps } from "@/lib/pipeline/types";
import type { Summarizer } from "@/lib/ports";
import { createProgressKv } from "@/lib/progress";
import type { ProgressKv } from "@/lib/progress/kv";
import { createEventStream } from "@/lib/progress/relay";
import { createStore } from "@/lib/store";
import type { Store } from "@/lib/store/store";
import { SITE_DIR } from "../helpers/fixture-server";
import { executeThroughServe } from "../helpers/inngest-executor";
import { fixtureFetch, quietLogger, singleCallSummarizer, testReader } from "../helpers/pipeline-fixtures";

// Cloud mode with a signing key, as in production: the route verifies every request's signature.
const SIGNING_KEY = `signkey-test-${"ab".repeat(32)}`;
vi.stubEnv("INNGEST_SIGNING_KEY", SIGNING_KEY);
vi.stubEnv("INNGEST_DEV", "0");
const { serve } = await import("inngest/next");
const { inngest } = await import("@/inngest/client");
const { createProcessArticle } = await import("@/inngest/functions/process-article");

const ARTICLE_URL = "https://news.example/stories/small-town-libraries";
const ARTICLE_HTML = readFileSync(path.join(SITE_DIR, "article.html"));
const NOT_ARTICLE_HTML = readFileSync(path.join(SITE_DIR, "not-article.html"));
/** Every other URL: a retriable failure, so attempts are spent. */
const siteDown = () => new AppError("http_error", "The site answered HTTP 503", { status: 503, retriable: true });

function summarizer() {
  const summarize = vi.fn(async () => ({
    summary: { tldr: "Libraries anchor towns.", keyPoints: ["Hours changed"], markdown: "## TL;DR", tags: [] },
    provenance: {
      model: "fake-model",
      promptVersion: "test",
      path: "single" as const,
      inputTokens: 10,
      outputTokens: 5,
      costUsd: 0.001,
    },
  }));
  return { summarize, summarizer: singleCallSummarizer({ model: "fake-model", summarize }) as Summarizer };
}

let store: Store;
let kv: ProgressKv;
let dataDir: string;
let jobId: string;
let n = 0;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), "as-attempts-"));
  store = await createStore({ kind: "pglite", dir: path.join(dataDir, "db") });
  kv = createProgressKv({ kind: "memory" });
});
afterAll(async () => {
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
});
beforeEach(async () => {
  jobId = `job_attempts_${Date.now()}_${++n}`;
  await store.createJob({
    id: jobId,
    url: `${ARTICLE_URL}?n=${n}`,
    canonicalUrl: `${ARTICLE_URL}?n=${n}`,
    force: true,
  });
});

function run(
  deps: PipelineDeps,
  url = ARTICLE_URL,
  maxAttempts = 4,
  data: Record<string, unknown> = { jobId, url, force: true, runKey: jobId },
) {
  const { POST } = serve({ client: inngest, functions: [createProcessArticle(async () => deps)] });
  return executeThroughServe({
    post: (request) => POST(request as never, undefined as never) as Promise<Response>,
    signingKey: SIGNING_KEY,
    appId: "article-summarizer",
    functionId: "process-article",
    event: { name: "article/submitted", data },
    maxAttempts,
  });
}

const deps = (overrides: Partial<PipelineDeps>): PipelineDeps => ({
  fetch: fixtureFetch({ [ARTICLE_URL]: ARTICLE_HTML }, siteDown),
  store,
  kv,
  summarizer: summarizer().summarizer,
  now: Date.now,
  reader: testReader,
  logger: quietLogger,
  ...overrides,
});

/** The relay's stream of the whole log, read to its end: the event types in order. */
async function streamedTypes(id: string): Promise<string[]> {
  const stream = createEventStream({ kv, jobId: id, after: 0, heartbeatMs: 60_000, maxLifetimeMs: 10_000 });
  const text = await new Response(stream).text();
  return [...text.matchAll(/^event: (.+)$/gm)].map((m) => m[1] ?? "");
}

describe("process-article through the SDK's request handling (signed calls, real attempts)", () => {
  it("follows a dashboard Rerun (a new run id) after a permanent failure: the stream ends at job.completed", async () => {
    const missing = () => new AppError("http_error", "The site answered HTTP 404", { status: 404, retriable: false });
    const failed = await run(deps({ fetch: fixtureFetch({}, missing) }));
    expect(failed.status).toBe("failed");
    expect(await store.getJob(jobId)).toMatchObject({ status: "failed", reason: "http_error" });

    // The page appears; the run is re-run from the dashboard: the same event, a new run id, attempt 0, no memo.
    const rerun = await run(deps({}));
    expect(rerun.status).toBe("completed");
    expect(await store.getJob(jobId)).toMatchObject({ status: "completed", articleId: expect.any(String) });
    const events = await kv.readAfter(jobId, 0, 500);
    const failedAt = events.findIndex((e) => e.type === "job.failed");
    // The new run opened a run in the log, so the relay (and the card) follow it to its end.
    expect(events.slice(failedAt + 1)[0]).toMatchObject({ type: "job.queued", data: { rerun: true } });
    const types = await streamedTypes(jobId);
    expect(types.at(-1)).toBe("job.completed");
    expect(types.filter((t) => t === "job.queued")).toHaveLength(1);

    // A rerun of the completed job does nothing, and says so.
    const again = await run(deps({}));
    expect(again.output).toMatchObject({ skipped: true, status: "completed" });
    expect(await kv.readAfter(jobId, 0, 500)).toHaveLength(events.length);
  });

  it("retries a failed stage in attempt 1 without running the stages that succeeded again", async () => {
    const fake = summarizer();
    fake.summarize.mockRejectedValueOnce(new AppError("summarization_failed", "upstream 500", { retriable: true }));
    const d = deps({ summarizer: fake.summarizer });
    const result = await run(d);
    expect(result.status).toBe("completed");
    expect(result.output).toMatchObject({ articleId: expect.any(String) });
    expect(Math.max(...result.attempts)).toBe(1);
    // Memoized by step id across attempts: the page was fetched once, the summary asked for twice.
    expect(d.fetch).toHaveBeenCalledTimes(1);
    expect(fake.summarize).toHaveBeenCalledTimes(2);
    const started = (await kv.readAfter(jobId, 0, 500)).filter((e) => e.type === "step.started");
    expect(started.map((e) => [e.step, e.attempt])).toEqual([
      ["fetch", 1],
      ["detect", 1],
      ["extract", 1],
      ["transcribe", 1],
      ["summarize", 1],
      ["summarize", 2],
      ["save", 2], // later stages run in the attempt the retry started
    ]);
    expect(await store.getJob(jobId)).toMatchObject({ status: "completed" });
  });

  it("fails a permanent error at once and runs onFailure through the function (inngest/function.failed)", async () => {
    const url = "https://news.example/welcome";
    const result = await run(deps({ fetch: fixtureFetch({ [url]: NOT_ARTICLE_HTML }, siteDown) }), url);
    expect(result.status).toBe("failed");
    expect(result.attempts.every((a) => a === 0)).toBe(true);
    expect(result.onFailure?.status).toBe(200);
    expect(await store.getJob(jobId)).toMatchObject({ status: "failed", reason: "not_an_article" });
    expect((await kv.readAfter(jobId, 0, 500)).at(-1)).toMatchObject({ type: "job.failed", reason: "not_an_article" });
  });

  it("spends every attempt on a retriable failure, then onFailure records its reason", async () => {
    const d = deps({ fetch: fixtureFetch({}, siteDown) });
    const result = await run(d, ARTICLE_URL, 3);
    expect(result.status).toBe("failed");
    expect([...new Set(result.attempts)]).toEqual([0, 1, 2]);
    expect(d.fetch).toHaveBeenCalledTimes(3);
    expect(result.onFailure?.status).toBe(200);
    expect(await store.getJob(jobId)).toMatchObject({ status: "failed", reason: "http_error" });
  });

  it("ends a run that failed outside any stage: the job is failed (internal) and the progress log closes", async () => {
    // The dependencies cannot be built for the run itself (a service down at start); onFailure's call gets them.
    let calls = 0;
    const d = deps({});
    const { POST } = serve({
      client: inngest,
      functions: [
        createProcessArticle(async () => {
          calls += 1;
          if (calls === 1) throw new Error("services unavailable");
          return d;
        }),
      ],
    });
    const result = await executeThroughServe({
      post: (request) => POST(request as never, undefined as never) as Promise<Response>,
      signingKey: SIGNING_KEY,
      appId: "article-summarizer",
      functionId: "process-article",
      event: { name: "article/submitted", data: { jobId, url: ARTICLE_URL, force: true, runKey: jobId } },
      maxAttempts: 1,
    });
    expect(result.status).toBe("failed");
    expect(result.onFailure?.status).toBe(200);
    // No stage recorded a reason: the job is failed as internal, never left queued.
    expect(await store.getJob(jobId)).toMatchObject({ status: "failed", reason: "internal" });
    expect((await kv.readAfter(jobId, 0, 500)).at(-1)).toMatchObject({ type: "job.failed", reason: "internal" });
  });

  it("still fails the job and closes the progress log when onFailure cannot read the failed step's reason", async () => {
    const unreadable: Store = {
      ...store,
      getJob: async () => {
        throw new Error("connection reset");
      },
    };
    const result = await run(deps({ store: unreadable, fetch: fixtureFetch({}, siteDown) }), ARTICLE_URL, 1);
    expect(result.status).toBe("failed");
    expect(result.onFailure?.status).toBe(200);
    expect(await store.getJob(jobId)).toMatchObject({ status: "failed", reason: "internal" });
    expect((await kv.readAfter(jobId, 0, 500)).at(-1)).toMatchObject({ type: "job.failed", reason: "internal" });
  });

  it("reuses a summary already paid for when the event does not ask for force", async () => {
    const fake = summarizer();
    const d = deps({ summarizer: fake.summarizer });
    expect((await run(d)).status).toBe("completed");
    expect(fake.summarize).toHaveBeenCalledTimes(1);
    // The same page submitted again, the event without `force`: the cached summary is used.
    const again = `${jobId}_again`;
    await store.createJob({ id: again, url: ARTICLE_URL, canonicalUrl: `${ARTICLE_URL}?again=${n}`, force: false });
    const second = await run(d, ARTICLE_URL, 4, { jobId: again, url: ARTICLE_URL, runKey: again });
    expect(second.status).toBe("completed");
    expect(fake.summarize).toHaveBeenCalledTimes(1);
    const completed = (await kv.readAfter(again, 0, 500)).filter((e) => e.type === "step.completed");
    expect(completed.find((e) => e.step === "summarize")?.data).toMatchObject({ reused: true });
  });
});
