import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { InngestTestEngine } from "@inngest/test";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createProcessArticle, onProcessArticleFailure } from "@/inngest/functions/process-article";
import { AppError, REASONS } from "@/lib/errors";
import type { SafeFetch } from "@/lib/net/types";
import type { PipelineDeps } from "@/lib/pipeline/types";
import type { Summarizer } from "@/lib/ports";
import { createProgressKv } from "@/lib/progress";
import type { ProgressEvent } from "@/lib/progress/events";
import type { ProgressKv } from "@/lib/progress/kv";
import { createStore } from "@/lib/store";
import type { Store } from "@/lib/store/store";
import { SITE_DIR } from "../helpers/fixture-server";
import { oneRunId } from "../helpers/inngest-test-run";
import { fixtureFetch, quietLogger, singleCallSummarizer, testReader } from "../helpers/pipeline-fixtures";

const ARTICLE_URL = "https://news.example/stories/small-town-libraries";
const ARTICLE_HTML = readFileSync(path.join(SITE_DIR, "article.html"));
const NOT_ARTICLE_HTML = readFileSync(path.join(SITE_DIR, "not-article.html"));
const STAGES = ["fetch", "detect", "extract", "transcribe", "summarize", "save"];

function fakeSummarizer(): Summarizer & { summarize: ReturnType<typeof vi.fn> } {
  return singleCallSummarizer({
    model: "fake-model",
    summarize: vi.fn(async () => ({
      summary: {
        tldr: "Libraries anchor towns.",
        keyPoints: ["Hours changed"],
        markdown: "## TL;DR\nLibraries.",
        tags: ["libraries"],
      },
      provenance: {
        model: "fake-model",
        promptVersion: "test",
        path: "single" as const,
        inputTokens: 10,
        outputTokens: 5,
        costUsd: 0.001,
      },
    })),
  });
}

let store: Store;
let kv: ProgressKv;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), "as-fn-"));
  store = await createStore({ kind: "pglite", dir: path.join(dataDir, "db") });
  kv = createProgressKv({ kind: "memory" });
});

afterAll(async () => {
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
});

let jobCounter = 0;
let jobId: string;
beforeEach(async () => {
  jobId = `job_fn_${Date.now()}_${++jobCounter}`;
  await store.createJob({
    id: jobId,
    url: `${ARTICLE_URL}?n=${jobCounter}`,
    canonicalUrl: `${ARTICLE_URL}?n=${jobCounter}`,
    force: true,
  });
});

function depsWith(overrides: Partial<PipelineDeps>): PipelineDeps {
  return {
    fetch: fixtureFetch({ [ARTICLE_URL]: ARTICLE_HTML }),
    store,
    kv,
    summarizer: fakeSummarizer(),
    now: Date.now,
    reader: testReader,
    logger: quietLogger,
    ...overrides,
  };
}

function engineFor(deps: PipelineDeps, url = ARTICLE_URL) {
  return new InngestTestEngine({
    function: createProcessArticle(async () => deps),
    events: [{ name: "article/submitted", data: { jobId, url, force: true, runKey: jobId } }],
    ...oneRunId(),
  });
}

async function eventsOf(id: string): Promise<ProgressEvent[]> {
  return kv.readAfter(id, 0, 1_000);
}

describe("process-article (Inngest function)", () => {
  it("runs the six stages in order as durable steps and saves the article", async () => {
    const deps = depsWith({});
    const { result, error, ctx } = await engineFor(deps).execute();
    expect(error).toBeUndefined();
    expect(result).toMatchObject({ articleId: expect.any(String) });
    const ids = ctx.step.run.mock.calls.map((call) => call[0]);
    // The run first takes the job with its run id (a step of its own, so a new run always executes it).
    expect(ids[0]).toBe("run");

    const events = await eventsOf(jobId);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.filter((e) => e.type === "step.started").map((e) => e.step)).toEqual(STAGES);
    expect(events.at(-1)).toMatchObject({ type: "job.completed" });
    const job = await store.getJob(jobId);
    expect(job).toMatchObject({ status: "completed", articleId: (result as { articleId: string }).articleId });

    // What a reader of the log is told: each stage completed once, the title once extract knows it, and the
    // result (article, title, cost) last.
    const completed = events.filter((e) => e.type === "step.completed");
    expect(completed.map((e) => e.step)).toEqual(STAGES);
    const title = (await store.getArticle((result as { articleId: string }).articleId))?.title;
    expect(title).toMatch(/Libraries/);
    expect(completed.find((e) => e.step === "extract")?.data).toEqual({ title });
    // A text page: transcribe had nothing to do, and says so, so a card leaves it out while the job still runs.
    expect(completed.find((e) => e.step === "transcribe")?.data).toEqual({ skipped: true });
    expect(events.at(-1)?.data).toEqual({ articleId: job?.articleId, title, costUsd: 0.001 });
  });

  it("does not run completed stages again when a later stage fails and the run resumes", async () => {
    const summarizer = fakeSummarizer();
    summarizer.summarize.mockRejectedValueOnce(new AppError("summarization_failed", "upstream 500"));
    const deps = depsWith({ summarizer });
    const first = await engineFor(deps).execute();
    expect(first.error).toBeDefined();
    const fetchCalls = (deps.fetch as ReturnType<typeof vi.fn>).mock.calls.length;
    expect(fetchCalls).toBe(1);

    // The next attempt gets the memoized outputs of the steps that succeeded, as Inngest does.
    const runSpy = first.ctx.step.run;
    const completed = await Promise.all(
      runSpy.mock.calls
        .slice(1, 5)
        .map(async (call, i) => ({ id: String(call[0]), output: await runSpy.mock.results[i + 1]?.value })),
    );
    expect(completed.map((c) => c.id)).toEqual(STAGES.slice(0, 4));
    const second = await engineFor(deps).execute({
      steps: completed.map((c) => ({ id: c.id, handler: () => c.output })),
    });

    expect(second.error).toBeUndefined();
    expect(second.result).toMatchObject({ articleId: expect.any(String) });
    expect((deps.fetch as ReturnType<typeof vi.fn>).mock.calls.length).toBe(fetchCalls);
    expect(summarizer.summarize).toHaveBeenCalledTimes(2);
    const failed = (await eventsOf(jobId)).find((e) => e.type === "step.failed");
    expect(failed).toMatchObject({ step: "summarize", reason: "summarization_failed" });
  });

  it("fails a permanent error without retrying", async () => {
    const url = "https://news.example/welcome";
    const summarizer = fakeSummarizer();
    const deps = depsWith({ fetch: fixtureFetch({ [url]: NOT_ARTICLE_HTML }), summarizer });
    const { error } = await engineFor(deps, url).execute();
    expect(error).toMatchObject({ name: "NonRetriableError" });
    expect(summarizer.summarize).not.toHaveBeenCalled();
    // The failing step recorded why on the job row, where onFailure reads it.
    expect(await store.getJob(jobId)).toMatchObject({ status: "running", step: "extract", reason: "not_an_article" });
  });

  it("onFailure marks the job failed with the reason its failing step recorded, and ends the progress log", async () => {
    const upstream503 = vi.fn(async () => {
      throw new AppError("http_error", "HTTP 503 from upstream", { status: 503 });
    });
    const deps = depsWith({ fetch: upstream503 as SafeFetch });
    const { error, ctx } = await engineFor(deps).execute();
    // Inngest hands onFailure a serialized error: only its message, which no longer encodes the reason.
    await onProcessArticleFailure(jobId, { message: (error as Error).message }, async () => deps, ctx.runId);
    expect(await store.getJob(jobId)).toMatchObject({
      status: "failed",
      reason: "http_error",
      message: "HTTP 503 from upstream",
    });
    expect((await eventsOf(jobId)).at(-1)).toMatchObject({ type: "job.failed", reason: "http_error" });
  });

  it("shows a storage failure the same way in the progress log, the job row and onFailure: reason, no internals", async () => {
    const failingSave: Store = {
      ...store,
      completeRun: async () => {
        throw new AppError("storage_failed", "Could not save the article (connection to 10.1.2.3:5432 refused)");
      },
    };
    const deps = depsWith({ store: failingSave });
    const { error, ctx } = await engineFor(deps).execute();
    await onProcessArticleFailure(jobId, { message: (error as Error).message }, async () => deps, ctx.runId);
    const failed = (await eventsOf(jobId)).filter((e) => e.type === "step.failed" || e.type === "job.failed");
    const job = await store.getJob(jobId);
    const shown = [...failed.map((e) => e.message), job?.message, (error as Error).message];
    expect(failed.map((e) => e.reason)).toEqual(["storage_failed", "storage_failed"]);
    expect(job?.reason).toBe("storage_failed");
    expect(new Set(shown)).toEqual(new Set([REASONS.storage_failed.meaning]));
  });

  it("saves the page's lead image with the article", async () => {
    const { result, error } = await engineFor(depsWith({})).execute();
    expect(error).toBeUndefined();
    const article = await store.getArticle((result as { articleId: string }).articleId);
    expect(article?.leadImage).toBe("https://news.example/img/reading-room.jpg");
  });
});
