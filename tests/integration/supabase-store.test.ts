import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "@/lib/store/migrate";
import { createPgliteExecutor, type SqlExecutor } from "@/lib/store/sql";
import type { Store } from "@/lib/store/store";
import { createSupabaseStore } from "@/lib/store/supabase-store";

interface Recorded {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}

const now = new Date().toISOString();
const jobRow = {
  id: "job_1",
  url: "https://a.example/",
  canonical_url: "https://a.example/",
  status: "queued",
  step: null,
  reason: null,
  message: null,
  article_id: null,
  force: false,
  attempts: 0,
  run_id: null,
  steps: {},
  cost_usd: null,
  created_at: now,
  updated_at: now,
};
const articleRow = {
  id: "5b1d7a3e-8f4c-4c1e-9a55-0c3f2d7e9b10",
  url: "https://a.example/",
  canonical_url: "https://a.example/",
  title: "T",
  byline: null,
  site_name: null,
  lang: "en",
  published_time: null,
  excerpt: null,
  html: "",
  text: "text",
  media: [],
  transcript: null,
  summary: { tldr: "t", keyPoints: [], markdown: "m", tags: [] },
  provenance: {
    extractor: "x",
    model: "m",
    promptVersion: "v",
    path: "single",
    inputTokens: 0,
    outputTokens: 0,
    costUsd: null,
  },
  cost_usd: null,
  created_at: now,
  updated_at: now,
};

/** Plausible PostgREST answers for each route the adapter uses; `failWith` injects PostgREST error bodies. */
function answer(req: Recorded): { status: number; body: unknown } {
  const route = req.path.replace(/^\/rest\/v1\//, "");
  if (route === "rpc/create_job") return { status: 200, body: [{ job: jobRow, created: true }] };
  if (route === "rpc/upsert_article") return { status: 200, body: articleRow };
  if (route === "rpc/search_articles") return { status: 200, body: [] };
  if (route === "jobs") {
    if (req.method === "PATCH") return { status: 200, body: { ...jobRow, status: "running" } };
    if (req.query.get("select") === "steps") return { status: 200, body: { steps: {} } };
    if (req.query.get("select") === "article_id") return { status: 200, body: null };
    return { status: 200, body: req.query.has("limit") && !req.query.has("id") ? [jobRow] : jobRow };
  }
  if (route === "articles") return { status: 200, body: articleRow };
  if (route === "transcript_chunks")
    return req.method === "GET" ? { status: 200, body: null } : { status: 201, body: null };
  return { status: 404, body: { code: "PGRST202", message: `no route ${route}`, details: null, hint: null } };
}

describe("supabase adapter: PostgREST contract against the migrated schema", () => {
  let server: http.Server;
  let store: Store;
  let db: SqlExecutor;
  let dir: string;
  const recorded: Recorded[] = [];
  let failWith: { status: number; body: object } | null = null;

  beforeAll(async () => {
    server = http.createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const url = new URL(req.url ?? "/", "http://x");
      const text = Buffer.concat(chunks).toString("utf8");
      const rec: Recorded = {
        method: req.method ?? "GET",
        path: url.pathname,
        query: url.searchParams,
        body: text ? JSON.parse(text) : null,
      };
      recorded.push(rec);
      const { status, body } = failWith ?? answer(rec);
      res.writeHead(status, { "Content-Type": "application/json" }).end(body === null ? "" : JSON.stringify(body));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    store = createSupabaseStore(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, "service-role-key");
    dir = mkdtempSync(path.join(os.tmpdir(), "as-supa-"));
    db = await createPgliteExecutor(dir);
    await migrate(db);
  });
  afterAll(async () => {
    server.close();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("uses only tables, columns, filters and functions that exist after the migrations", async () => {
    await store.createJob({ id: "job_1", url: "https://a.example/", canonicalUrl: "https://a.example/", force: false });
    await store.getJob("job_1");
    await store.updateJob("job_1", {
      status: "running",
      step: "fetch",
      steps: { fetch: { startedAt: 1 } },
      articleId: null,
      costUsd: 0,
    });
    await store.listJobs({ status: "failed", limit: 5 });
    await store.upsertArticle({
      ...articleRow,
      canonicalUrl: articleRow.canonical_url,
      siteName: null,
      publishedTime: null,
    } as never);
    await store.getArticle(articleRow.id);
    await store.getArticleByCanonicalUrl("https://b.example/");
    await store.searchArticles({ q: "libraries", limit: 5 });
    await store.getTranscriptChunk({ mediaUrl: "https://a.example/a.mp3", startSec: 0, endSec: 0, model: "whisper-1" });
    await store.putTranscriptChunk(
      { mediaUrl: "https://a.example/a.mp3", startSec: 0, endSec: 0, model: "whisper-1" },
      { source: "openai", text: "x" },
    );

    const columns = new Map<string, Set<string>>();
    for (const row of await db.query<{ table_name: string; column_name: string }>(
      "select table_name, column_name from information_schema.columns where table_schema = 'public'",
    )) {
      if (!columns.has(row.table_name)) columns.set(row.table_name, new Set());
      columns.get(row.table_name)?.add(row.column_name);
    }
    const functionArgs = new Map<string, string[]>();
    for (const row of await db.query<{ proname: string; args: string[] | null }>(
      "select proname, proargnames as args from pg_proc where pronamespace = 'public'::regnamespace",
    )) {
      functionArgs.set(row.proname, row.args ?? []);
    }

    const problems: string[] = [];
    const used = new Set<string>();
    for (const req of recorded) {
      const route = req.path.replace(/^\/rest\/v1\//, "");
      if (route.startsWith("rpc/")) {
        const fn = route.slice(4);
        used.add(fn);
        const args = functionArgs.get(fn);
        if (!args) problems.push(`function ${fn} does not exist`);
        for (const key of Object.keys((req.body as object) ?? {}))
          if (!args?.includes(key)) problems.push(`${fn}(${key}) is not a parameter`);
        continue;
      }
      used.add(route);
      const table = columns.get(route);
      if (!table) {
        problems.push(`table ${route} does not exist`);
        continue;
      }
      const check = (column: string, where: string) => {
        if (!table.has(column)) problems.push(`${route}.${column} (${where}) does not exist`);
      };
      for (const [key, value] of req.query) {
        if (key === "select") for (const c of value.split(",")) check(c.trim(), "select");
        else if (key === "order") for (const c of value.split(",")) check(c.split(".")[0] ?? "", "order");
        else if (key === "on_conflict") for (const c of value.split(",")) check(c, "on_conflict");
        else if (key !== "limit" && key !== "offset" && key !== "columns") check(key, `filter ${value}`);
      }
      const rows = Array.isArray(req.body) ? req.body : req.body ? [req.body] : [];
      for (const row of rows) for (const key of Object.keys(row as object)) check(key, `${req.method} body`);
    }
    expect(problems).toEqual([]);
    expect([...used].sort()).toEqual([
      "articles",
      "create_job",
      "jobs",
      "search_articles",
      "transcript_chunks",
      "upsert_article",
    ]);
  });

  it("maps PostgREST errors to storage_failed and keeps the PostgREST error as cause", async () => {
    failWith = {
      status: 409,
      body: {
        code: "23505",
        message: "duplicate key value violates unique constraint",
        details: "Key exists",
        hint: null,
      },
    };
    try {
      const error = await store.getJob("job_1").then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ reason: "storage_failed", message: expect.stringContaining("23505") });
      expect((error as Error).cause).toMatchObject({ code: "23505", details: "Key exists" });
      failWith = { status: 401, body: { code: "PGRST301", message: "JWT expired", details: null, hint: null } };
      await expect(store.ping()).rejects.toMatchObject({ reason: "storage_failed" });
    } finally {
      failWith = null;
    }
  });
});
