import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createSummarizer } from "@/lib/ai";
import { parseConfig } from "@/lib/env";
import { createInlineRunner } from "@/lib/jobs/inline-runner";
import { requestSummary, submitJob } from "@/lib/jobs/service";
import type { SafeFetch } from "@/lib/net/types";
import type { PipelineDeps } from "@/lib/pipeline/types";
import { createProgressKv } from "@/lib/progress";
import type { ProgressKv } from "@/lib/progress/kv";
import { createStore } from "@/lib/store";
import type { Store } from "@/lib/store/store";
import { type FakeOpenAI, startFakeOpenAI } from "../helpers/fake-openai";
import { SITE_DIR } from "../helpers/fixture-server";
import { quietLogger, testReader } from "../helpers/pipeline-fixtures";
import { article } from "./store-fixtures";

const ARTICLE_HTML = readFileSync(path.join(SITE_DIR, "article.html"), "utf8");
/**
 * Each URL serves the fixture article as its own page (its own canonical URL, so its own article); `?v=2` serves it
 * with one sentence changed (new content, new hash).
 */
const fetchSpy = vi.fn<SafeFetch>(async (url) => {
  const page = ARTICLE_HTML.replace('href="/stories/small-town-libraries"', `href="${url}"`);
  const html = url.includes("v=2") ? page.replace("four hundred jobs", "five hundred jobs") : page;
  return {
    url,
    status: 200,
    headers: { "content-type": "text/html; charset=utf-8" },
    contentType: "text/html; charset=utf-8",
    body: new TextEncoder().encode(html),
    bodyRead: true,
    redirects: [url],
  };
});

let store: Store;
let kv: ProgressKv;
let dir: string;
let llm: FakeOpenAI;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "as-summary-jobs-"));
  store = await createStore({ kind: "pglite", dir: path.join(dir, "db") });
  kv = createProgressKv({ kind: "memory" });
  llm = await startFakeOpenAI();
});
afterAll(async () => {
  await store.close();
  await llm.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  llm.requests.length = 0;
  llm.setChat({});
});

function setup() {
  const config = parseConfig({
    FETCH_ALLOWLIST: "articles.test",
    OPENAI_API_KEY: "sk-test",
    OPENAI_BASE_URL: llm.url,
    SUMMARY_MODEL: "gpt-4o-mini",
  });
  if (config.llm.kind !== "openai") throw new Error("expected an LLM configuration");
  const llmConfig = config.llm;
  const deps = (): PipelineDeps => ({
    fetch: fetchSpy,
    store,
    kv,
    summarizer: createSummarizer(llmConfig),
    summarizerFor: (model) => createSummarizer(llmConfig, model),
    models: llmConfig.models,
    now: Date.now,
    reader: testReader,
    logger: quietLogger,
  });
  const runner = createInlineRunner(async () => deps(), { retries: 1, backoffMs: () => 10 });
  return { runner, services: { store, kv, runner, now: Date.now, config, logger: quietLogger } };
}

const chatCalls = () => llm.requests.filter((r) => r.path.endsWith("/chat/completions"));
const sentModels = () => chatCalls().map((r) => (JSON.parse(r.body) as { model: string }).model);

describe("summary cache", () => {
  it("a second run of the same content makes no LLM call; force and a new model do", async () => {
    const { runner, services } = setup();
    const url = "https://articles.test/cache";
    const first = await submitJob({ url, force: true }, services, { resolve: false });
    await runner.wait(first.jobId);
    expect(chatCalls()).toHaveLength(1);
    const firstJob = await store.getJob(first.jobId);
    expect(firstJob?.costUsd).toBeGreaterThan(0);

    // The same content again (here syndicated at another URL): the summary comes from the cache.
    llm.requests.length = 0;
    const second = await submitJob({ url: `${url}-copy` }, services, { resolve: false });
    await runner.wait(second.jobId);
    expect(chatCalls()).toHaveLength(0);
    const article = await store.getArticle((await store.getJob(second.jobId))?.articleId ?? "");
    expect(article?.provenance).toMatchObject({ cached: true, model: "gpt-4o-mini" });
    expect((await store.getJob(second.jobId))?.costUsd).toBe(0);
    const completed = (await kv.readAfter(second.jobId, 0, 100)).find(
      (e) => e.type === "step.completed" && e.step === "summarize",
    );
    expect(completed?.data).toMatchObject({ reused: true, costUsd: 0 });

    // Changed content: a new hash, a new call. Forced: a new call for unchanged content too.
    const changed = await submitJob({ url: `${url}?v=2` }, services, { resolve: false });
    await runner.wait(changed.jobId);
    expect(chatCalls()).toHaveLength(1);
    const forcedRun = await submitJob({ url, force: true }, services, { resolve: false });
    await runner.wait(forcedRun.jobId);
    expect(chatCalls()).toHaveLength(2);

    // A new version asked for with the same model is the cached one made current; forced, or another model, pays.
    llm.requests.length = 0;
    const articleId = article?.id ?? "";
    const same = await requestSummary(articleId, {}, services);
    await runner.wait(same.jobId);
    expect(chatCalls()).toHaveLength(0);
    expect(await store.listSummaries(articleId)).toHaveLength(1);
    const forced = await requestSummary(articleId, { force: true }, services);
    await runner.wait(forced.jobId);
    const otherModel = await requestSummary(articleId, { model: "gpt-4.1-mini" }, services);
    await runner.wait(otherModel.jobId);
    expect(sentModels()).toEqual(["gpt-4o-mini", "gpt-4.1-mini"]);
  });
});

describe("summary versions", () => {
  it("two summaries of one article with different models: both listed, the chosen one current", async () => {
    const { runner, services } = setup();
    const submitted = await submitJob({ url: "https://articles.test/versions", force: true }, services, {
      resolve: false,
    });
    await runner.wait(submitted.jobId);
    const articleId = (await store.getJob(submitted.jobId))?.articleId ?? "";

    const version = await requestSummary(articleId, { model: "gpt-4.1-mini", lang: "de" }, services);
    await runner.wait(version.jobId);
    const job = await store.getJob(version.jobId);
    expect(job).toMatchObject({ status: "completed", kind: "summary", articleId, model: "gpt-4.1-mini", lang: "de" });
    // Its own job, with progress: summarize then save, and a terminal event.
    const events = await kv.readAfter(version.jobId, 0, 100);
    expect(events.filter((e) => e.type === "step.started").map((e) => e.step)).toEqual(["summarize", "save"]);
    expect(events.at(-1)).toMatchObject({ type: "job.completed", data: { articleId } });
    const [sent] = chatCalls()
      .map((r) => JSON.parse(r.body) as { messages: { content: string }[] })
      .slice(-1);
    expect(sent?.messages[0]?.content).toContain("Write the summary in German.");

    const versions = await store.listSummaries(articleId);
    expect(versions.map((v) => [v.model, v.lang, v.current])).toEqual([
      ["gpt-4.1-mini", "de", true],
      ["gpt-4o-mini", "en", false],
    ]);
    const article = await store.getArticle(articleId);
    expect(article?.provenance).toMatchObject({ model: "gpt-4.1-mini", lang: "de", langSource: "job" });

    const earlier = versions[1]?.id ?? "";
    await store.setCurrentSummary(articleId, earlier);
    expect((await store.getArticle(articleId))?.provenance).toMatchObject({ model: "gpt-4o-mini" });
    expect((await store.listSummaries(articleId)).find((v) => v.current)?.id).toBe(earlier);
  });

  it("an unknown article is not_found; a model without an LLM configured is refused", async () => {
    const { services } = setup();
    await expect(requestSummary("00000000-0000-4000-8000-000000000000", {}, services)).rejects.toMatchObject({
      reason: "not_found",
    });
    const offline = { ...services, config: parseConfig({}) };
    const submitted = await store.upsertArticle(article());
    await expect(requestSummary(submitted.id, { model: "gpt-4o" }, offline)).rejects.toMatchObject({
      reason: "invalid_body",
    });
  });
});

describe("language per job", () => {
  it("POST /api/jobs {url, lang}: the summary is asked for and recorded in that language", async () => {
    const { runner, services } = setup();
    const submitted = await submitJob({ url: "https://articles.test/lang", force: true, lang: "fr" }, services, {
      resolve: false,
    });
    await runner.wait(submitted.jobId);
    const job = await store.getJob(submitted.jobId);
    expect(job).toMatchObject({ status: "completed", lang: "fr" });
    const article = await store.getArticle(job?.articleId ?? "");
    expect(article?.provenance).toMatchObject({ lang: "fr", langSource: "job" });
    const [sent] = chatCalls().map((r) => JSON.parse(r.body) as { messages: { content: string }[] });
    expect(sent?.messages[0]?.content).toContain("Write the summary in French.");

    // The same URL in another language: a new summary version of the saved article, not a duplicate.
    const again = await submitJob({ url: "https://articles.test/lang", lang: "es" }, services, { resolve: false });
    await runner.wait(again.jobId);
    expect(await store.getJob(again.jobId)).toMatchObject({ kind: "summary", lang: "es", status: "completed" });
    expect((await store.listSummaries(article?.id ?? "")).map((v) => v.lang)).toEqual(["es", "fr"]);
  });
});
