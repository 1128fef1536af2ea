import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { InngestTestEngine } from "@inngest/test";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createProcessArticle } from "@/inngest/functions/process-article";
import { ContextLengthError } from "@/lib/ai/chat";
import { AppError } from "@/lib/errors";
import type { SafeFetch } from "@/lib/net/types";
import type { PipelineDeps } from "@/lib/pipeline/types";
import type { PartNotes, SummarizeResult, Summarizer, SummaryPlan } from "@/lib/ports";
import { createProgressKv } from "@/lib/progress";
import type { ProgressKv } from "@/lib/progress/kv";
import { createStore } from "@/lib/store";
import type { Store } from "@/lib/store/store";
import { SITE_DIR } from "../helpers/fixture-server";
import { oneRunId } from "../helpers/inngest-test-run";
import { quietLogger, testReader } from "../helpers/pipeline-fixtures";

const URL = "https://news.example/stories/long-read";
const HTML = readFileSync(path.join(SITE_DIR, "article.html"));

const fetchPage: SafeFetch = async (url) => ({
  url,
  status: 200,
  headers: { "content-type": "text/html; charset=utf-8" },
  contentType: "text/html; charset=utf-8",
  body: new Uint8Array(HTML),
  bodyRead: true,
  redirects: [url],
});

const PARTS: SummaryPlan = {
  path: "map-reduce",
  model: "fake-long",
  parts: 3,
  partTokens: 200,
  notesTokens: 40,
  contentTokens: 600,
  promptTokens: 90,
};

const RESULT: SummarizeResult = {
  summary: { tldr: "Combined.", keyPoints: ["a", "b", "c"], markdown: "## m", tags: ["t"] },
  provenance: {
    model: "fake-long",
    promptVersion: "test",
    path: "map-reduce",
    parts: 3,
    inputTokens: 700,
    outputTokens: 90,
    costUsd: 0.001,
  },
};

/** A summarizer whose plan has three parts; every call is a spy, so a test sees which steps paid again. */
function longSummarizer(options: { singleFirst?: boolean } = {}) {
  const notes = (index: number): PartNotes => ({
    index,
    notes: `notes ${index}`,
    inputTokens: 200,
    outputTokens: 20,
    promptTokens: 30,
  });
  const summarizer = {
    model: "fake-long",
    plan: vi.fn((_input, hint?: { split?: boolean }) =>
      options.singleFirst && !hint?.split ? { ...PARTS, path: "single" as const, parts: 0 } : PARTS,
    ),
    summarize: vi.fn(async (): Promise<SummarizeResult> => {
      throw new ContextLengthError("too long", new Error("400 context_length_exceeded"), 4_096);
    }),
    summarizePart: vi.fn(async (_input, _plan, index: number) => notes(index)),
    combine: vi.fn(async (_input, _plan, parts: PartNotes[]) => {
      expect(parts.map((p) => p.notes)).toEqual(["notes 0", "notes 1", "notes 2"]);
      return RESULT;
    }),
  } satisfies Summarizer;
  return summarizer;
}

let store: Store;
let kv: ProgressKv;
let dataDir: string;
let jobId: string;
let counter = 0;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), "as-fn-parts-"));
  store = await createStore({ kind: "pglite", dir: path.join(dataDir, "db") });
  kv = createProgressKv({ kind: "memory" });
});
afterAll(async () => {
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
});
beforeEach(async () => {
  jobId = `job_parts_${Date.now()}_${++counter}`;
  await store.createJob({ id: jobId, url: `${URL}?n=${counter}`, canonicalUrl: `${URL}?n=${counter}`, force: true });
});

const deps = (summarizer: Summarizer): PipelineDeps => ({
  fetch: fetchPage,
  store,
  kv,
  summarizer,
  now: Date.now,
  reader: testReader,
  logger: quietLogger,
});

const engine = (d: PipelineDeps) =>
  new InngestTestEngine({
    function: createProcessArticle(async () => d),
    events: [{ name: "article/submitted", data: { jobId, url: URL, force: true, runKey: jobId } }],
    ...oneRunId(),
  });

describe("long summaries as durable steps", () => {
  it("runs each part as its own step, then one combine step; a failed combine re-runs only the combine", async () => {
    const failing = longSummarizer();
    failing.combine.mockRejectedValueOnce(new AppError("summarization_failed", "upstream 500"));
    const first = await engine(deps(failing)).execute();
    expect(first.error).toBeDefined();
    const ids = first.ctx.step.run.mock.calls.map((call) => String(call[0]));
    expect(ids).toEqual(
      expect.arrayContaining([
        "summarize",
        "summarize:part:0",
        "summarize:part:1",
        "summarize:part:2",
        "summarize:combine",
      ]),
    );
    expect(new Set(failing.summarizePart.mock.calls.map((call) => call[2]))).toEqual(new Set([0, 1, 2]));

    // The next attempt, as Inngest runs it: every step that succeeded is memoized.
    const runSpy = first.ctx.step.run;
    const memoized = await Promise.all(
      [
        "fetch",
        "detect",
        "extract",
        "transcribe",
        "summarize",
        "summarize:part:0",
        "summarize:part:1",
        "summarize:part:2",
      ].map(async (id) => {
        const i = runSpy.mock.calls.findIndex((call) => call[0] === id);
        return { id, output: await runSpy.mock.results[i]?.value };
      }),
    );
    const healthy = longSummarizer();
    const second = await engine(deps(healthy)).execute({
      steps: memoized.map((s) => ({ id: s.id, handler: () => s.output })),
    });
    expect(second.error).toBeUndefined();
    expect(healthy.summarizePart).not.toHaveBeenCalled();
    expect(healthy.combine).toHaveBeenCalledTimes(1);
    const article = await store.getArticle((second.result as { articleId: string }).articleId);
    expect(article?.provenance).toMatchObject({ path: "map-reduce", parts: 3 });

    // Progress: each part reported as it finishes, all of them done before the stage completes.
    const events = (await kv.readAfter(jobId, 0, 500)).filter((e) => e.step === "summarize");
    const parts = events.filter((e) => e.type === "step.progress" && e.data && "part" in e.data);
    expect(new Set(parts.map((e) => (e.data as { part: number }).part))).toEqual(new Set([1, 2, 3]));
    const progress = events.filter((e) => e.type === "step.progress");
    expect(progress.at(-1)?.progress).toEqual({ done: 3, total: 3, unit: "part" });
    expect(events.at(-1)).toMatchObject({ type: "step.completed", data: { path: "map-reduce" } });
  });

  it("turns a single call the provider refuses as too long into parts, planned with the limit it stated", async () => {
    const summarizer = longSummarizer({ singleFirst: true });
    const { error, ctx } = await engine(deps(summarizer)).execute();
    expect(error).toBeUndefined();
    expect(summarizer.summarize).toHaveBeenCalledTimes(1);
    expect(summarizer.plan).toHaveBeenLastCalledWith(expect.anything(), { split: true, contextTokens: 4_096 });
    expect(ctx.step.run.mock.calls.map((call) => String(call[0]))).toContain("summarize:combine");
    // (@inngest/test may execute a step's body once per parallel branch it resumes; Inngest runs it once.)
    expect(summarizer.combine).toHaveBeenCalled();
    expect(await store.getJob(jobId)).toMatchObject({ status: "completed" });
  });
});
