import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { InngestTestEngine } from "@inngest/test";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createProcessArticle } from "@/inngest/functions/process-article";
import { chatCostUsd, resolveModel } from "@/lib/ai/models";
import { createOpenAIClient } from "@/lib/ai/openai";
import { createOpenAISummarizer, summarizeInProcess } from "@/lib/ai/openai-summarizer";
import type { PipelineDeps } from "@/lib/pipeline/types";
import type { SummarizeInput, Summarizer } from "@/lib/ports";
import { createProgressKv } from "@/lib/progress";
import { createStore } from "@/lib/store";
import type { Store } from "@/lib/store/store";
import { type ChatRequest, promptTokens } from "../helpers/fake-chat";
import { type FakeOpenAI, startFakeOpenAI } from "../helpers/fake-openai";
import { SITE_DIR } from "../helpers/fixture-server";
import { oneRunId } from "../helpers/inngest-test-run";
import { fixtureFetch, quietLogger, testReader } from "../helpers/pipeline-fixtures";

/**
 * An answer cut at its output limit (`finish_reason: "length"`, as the fake server answers it the way OpenAI does:
 * the content stops at the limit, usage counts what was produced) is recovered once by summarizing in parts, whose
 * final call reads short notes and so leaves the model room to answer; a cut-off part or combine fails, naming it.
 */

const HTML = readFileSync(path.join(SITE_DIR, "article.html"));
const ARTICLE_TEXT = HTML.toString("utf8")
  .replace(/^[\s\S]*<article>|<\/article>[\s\S]*$/g, "")
  .replace(/<[^>]+>/g, "\n")
  .replace(/\n\s*\n+/g, "\n\n")
  .trim();
const MODEL = "gpt-4o-mini";

let llm: FakeOpenAI;
beforeAll(async () => {
  llm = await startFakeOpenAI();
});
afterAll(() => llm.close());
beforeEach(() => {
  llm.setChat({});
  llm.requests.length = 0;
});

const input: SummarizeInput = { title: "Libraries", text: ARTICLE_TEXT, lang: "en", url: "https://a.example/" };
const make = () =>
  createOpenAISummarizer(createOpenAIClient({ apiKey: "sk-test", baseURL: llm.url }), {
    model: MODEL,
    baseURL: llm.url,
  });
const sent = () =>
  llm.requests.filter((r) => r.path.endsWith("/chat/completions")).map((r) => JSON.parse(r.body) as ChatRequest);
const isNotes = (r: ChatRequest) => /take notes/.test(r.messages[0]?.content ?? "");

/** The single call's prompt as the server counts it: the context of a server that leaves no room for its answer. */
async function singlePromptTokens(): Promise<number> {
  await summarizeInProcess(make(), input);
  const first = sent()[0];
  llm.requests.length = 0;
  if (!first) throw new Error("no request was sent");
  return promptTokens(first.messages);
}

describe("a summary cut off at the model's output limit", () => {
  it("is summarized in parts once the single call is cut off at the context's end, the cut call's cost counted", async () => {
    const summarizer = make();
    expect(summarizer.plan(input).path).toBe("single");
    // A server whose real context ends 40 tokens after the prompt (the table says 128k): the answer has no room.
    llm.setChat({ contextTokens: (await singlePromptTokens()) + 40 });
    const result = await summarizeInProcess(summarizer, input);

    const requests = sent();
    const [cut, ...rest] = requests;
    expect(cut && isNotes(cut)).toBe(false);
    const parts = rest.filter(isNotes);
    expect(parts.length).toBeGreaterThan(1);
    // Cut single call, the parts, one combine: one recovery, no repair request, no second try of the single call.
    expect(requests).toHaveLength(1 + parts.length + 1);
    expect(result.provenance).toMatchObject({ path: "map-reduce", parts: parts.length });
    // Every request was paid for, the cut one included: the recorded tokens and cost are all of them.
    const input_ = requests.reduce((sum, r) => sum + promptTokens(r.messages), 0);
    expect(result.provenance.inputTokens).toBe(input_);
    expect(result.provenance.outputTokens).toBeGreaterThanOrEqual(40);
    expect(result.provenance.costUsd).toBe(
      chatCostUsd(resolveModel(MODEL), result.provenance.inputTokens, result.provenance.outputTokens),
    );
  });

  it("fails naming the part when a part's notes are cut off too, without a second recovery", async () => {
    llm.setChat({ outputTokens: 5 });
    await expect(summarizeInProcess(make(), input)).rejects.toMatchObject({
      reason: "summarization_failed",
      retriable: false,
      message: expect.stringMatching(/^Part 1 of \d+: the model's notes were cut off at its output limit/),
    });
    const requests = sent();
    expect(requests).toHaveLength(2);
    expect(requests.map(isNotes)).toEqual([false, true]);
  });

  it("fails saying the combined summary was cut off, after one recovery", async () => {
    // Room for a part's notes, not for a summary.
    llm.setChat({ outputTokens: 60 });
    await expect(summarizeInProcess(make(), input)).rejects.toMatchObject({
      reason: "summarization_failed",
      retriable: false,
      message: expect.stringMatching(/^The combined summary of \d+ parts? was cut off at the model's output limit/),
    });
    const requests = sent();
    const parts = requests.filter(isNotes).length;
    expect(parts).toBeGreaterThan(1);
    expect(requests).toHaveLength(1 + parts + 1);
  });
});

const URL = "https://news.example/stories/long-read";

describe("the recovery as durable steps", () => {
  let store: Store;
  let dataDir: string;
  const kv = createProgressKv({ kind: "memory" });
  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), "as-cut-off-"));
    store = await createStore({ kind: "pglite", dir: path.join(dataDir, "db") });
  });
  afterAll(async () => {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const deps = (summarizer: Summarizer): PipelineDeps => ({
    fetch: fixtureFetch({ [URL]: HTML }),
    store,
    kv,
    summarizer,
    now: Date.now,
    reader: testReader,
    logger: quietLogger,
  });
  const engine = (d: PipelineDeps, jobId: string) =>
    new InngestTestEngine({
      function: createProcessArticle(async () => d),
      events: [{ name: "article/submitted", data: { jobId, url: URL, force: true, runKey: jobId } }],
      ...oneRunId(),
    });

  it("memoizes the cut single call and the parts: a retry after a failed combine pays for the combine only", async () => {
    const jobId = `job_cut_${Date.now()}`;
    await store.createJob({ id: jobId, url: URL, canonicalUrl: URL, force: true });
    // The model's output limit lets notes through and cuts summaries: the single call and the combine are cut off.
    llm.setChat({ outputTokens: 60 });
    const first = await engine(deps(make()), jobId).execute();
    expect(first.error).toMatchObject({ message: expect.stringMatching(/combined summary .* cut off/) });
    const runSpy = first.ctx.step.run;
    const ids = runSpy.mock.calls.map((call) => String(call[0]));
    const partIds = ids.filter((id) => id.startsWith("summarize:part:"));
    expect(partIds.length).toBeGreaterThan(1);
    const single = sent()[0];

    // The next attempt, as Inngest runs it: every step that succeeded is memoized; the model has room now.
    const memoized = await Promise.all(
      ["fetch", "detect", "extract", "transcribe", "summarize", ...new Set(partIds)].map(async (id) => {
        const i = runSpy.mock.calls.findIndex((call) => call[0] === id);
        return { id, output: await runSpy.mock.results[i]?.value };
      }),
    );
    llm.setChat({});
    llm.requests.length = 0;
    const second = await engine(deps(make()), jobId).execute({
      steps: memoized.map((s) => ({ id: s.id, handler: () => s.output })),
    });
    expect(second.error).toBeUndefined();
    // Only combine calls (@inngest/test may run a step's body once per parallel branch it resumes; Inngest once).
    const retried = sent();
    expect(retried.filter(isNotes)).toHaveLength(0);
    const combine = retried[0];
    expect(combine).toBeDefined();
    const article = await store.getArticle((second.result as { articleId: string }).articleId);
    expect(article?.provenance).toMatchObject({ path: "map-reduce", parts: new Set(partIds).size });
    // The cut single call is in the summary's cost: its tokens, every part's and the combine's.
    const output = (id: string) => memoized.find((s) => s.id === id)?.output as Record<string, unknown>;
    const spent = (output("summarize").plan as { spent?: { inputTokens: number } }).spent;
    expect(spent?.inputTokens).toBe(single ? promptTokens(single.messages) : -1);
    const paid =
      (spent?.inputTokens ?? 0) +
      [...new Set(partIds)].reduce((sum, id) => sum + Number(output(id).inputTokens), 0) +
      (combine ? promptTokens(combine.messages) : 0);
    expect(article?.provenance.inputTokens).toBe(paid);
  });
});
