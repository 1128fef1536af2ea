import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NewArticle } from "@/lib/domain";
import { migrate } from "@/lib/store/migrate";
import { ARTICLE_COLUMNS, JOB_COLUMNS } from "@/lib/store/rows";
import { createPgliteExecutor, createPostgresExecutor, type SqlExecutor } from "@/lib/store/sql";
import { createSqlStore } from "@/lib/store/sql-store";
import type { Store } from "@/lib/store/store";
import { POSTGRES_URL, serviceAvailable } from "../helpers/services";

const postgresUp = await serviceAvailable("postgres");

export function article(overrides: Partial<NewArticle> = {}): NewArticle {
  const url = overrides.url ?? `https://news.example/${randomUUID()}`;
  return {
    url,
    canonicalUrl: url,
    title: "Small towns rebuild their libraries",
    byline: "Maria Okafor",
    siteName: "The Civic Ledger",
    lang: "en",
    publishedTime: "2026-10-02T09:00:00Z",
    excerpt: "Libraries become community hubs.",
    text: "When the paper mill closed, the library moved into the old mill office and expanded its hours.",
    html: "<p>When the paper mill closed…</p>",
    media: [],
    summary: {
      tldr: "Libraries anchor small towns.",
      keyPoints: ["Longer hours"],
      markdown: "## TL;DR",
      tags: ["libraries"],
    },
    provenance: {
      extractor: "readability",
      model: "extractive",
      promptVersion: "v1",
      path: "extractive",
      inputTokens: 0,
      outputTokens: 0,
      costUsd: null,
    },
    ...overrides,
  };
}

function contract(name: string, open: () => Promise<{ executor: SqlExecutor; cleanup: () => Promise<void> }>) {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    let executor: SqlExecutor;
    let cleanup: () => Promise<void>;
    beforeAll(async () => {
      ({ executor, cleanup } = await open());
      store = await createSqlStore(executor);
    });
    afterAll(async () => {
      await store?.close();
      await cleanup?.();
    });

    it("applies migrations once (a second run applies nothing)", async () => {
      expect(await migrate(executor)).toEqual([]);
    });

    it("the row types the code uses match the migrated schema", async () => {
      const columns = async (table: string) =>
        (
          await executor.query<{ column_name: string }>(
            "select column_name from information_schema.columns where table_name = $1 order by ordinal_position",
            [table],
          )
        ).map((r) => r.column_name);
      expect(await columns("jobs")).toEqual(expect.arrayContaining([...JOB_COLUMNS]));
      expect(await columns("articles")).toEqual(expect.arrayContaining([...ARTICLE_COLUMNS]));
    });

    it("creates, updates and lists jobs, merging step timings", async () => {
      const id = `job_${randomUUID()}`;
      const url = `https://a.example/${id}`;
      const { job, created } = await store.createJob({ id, url, canonicalUrl: url, force: false });
      expect(created).toBe(true);
      expect(job).toMatchObject({ id, status: "queued", attempts: 0, steps: {} });
      await store.updateJob(id, { status: "running", step: "fetch", steps: { fetch: { startedAt: 1 } } });
      const updated = await store.updateJob(id, {
        steps: { extract: { startedAt: 2 } },
        reason: "timeout",
        message: "slow",
      });
      expect(updated.steps).toEqual({ fetch: { startedAt: 1 }, extract: { startedAt: 2 } });
      expect(updated).toMatchObject({ status: "running", reason: "timeout", message: "slow" });
      await store.updateJob(id, { status: "failed" });
      expect((await store.listJobs({ status: "failed" })).map((j) => j.id)).toContain(id);
      expect(await store.getJob("job_missing")).toBeNull();
    });

    it("refuses a status or reason outside the schema's checks", async () => {
      const id = `job_${randomUUID()}`;
      await store.createJob({
        id,
        url: `https://a.example/${id}`,
        canonicalUrl: `https://a.example/${id}`,
        force: false,
      });
      await expect(store.updateJob(id, { reason: "bogus" as never })).rejects.toMatchObject({
        reason: "storage_failed",
      });
    });

    it("makes one job for 20 concurrent submissions of one URL", async () => {
      const url = `https://a.example/concurrent/${randomUUID()}`;
      const results = await Promise.all(
        Array.from({ length: 20 }, () =>
          store.createJob({ id: `job_${randomUUID()}`, url, canonicalUrl: url, force: false }),
        ),
      );
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(results.map((r) => r.job.id)).size).toBe(1);
      // Once it is finished, the next submission makes a new job.
      await store.updateJob(results[0]?.job.id ?? "", { status: "completed" });
      expect((await store.createJob({ id: `job_${randomUUID()}`, url, canonicalUrl: url, force: true })).created).toBe(
        true,
      );
    });

    it("makes one article for 20 concurrent saves of one canonical URL", async () => {
      const url = `https://news.example/concurrent/${randomUUID()}`;
      const saved = await Promise.all(Array.from({ length: 20 }, () => store.upsertArticle(article({ url }))));
      expect(new Set(saved.map((a) => a.id)).size).toBe(1);
      const versions = await executor.query<{ n: number }>(
        "select count(*)::int as n from summaries where article_id = $1",
        [saved[0]?.id],
      );
      expect(versions[0]?.n).toBe(20);
    });

    it("upserts by canonical URL and keeps the earlier summary as a version", async () => {
      const first = await store.upsertArticle(article({ url: "https://news.example/upsert" }));
      const second = await store.upsertArticle(
        article({
          url: "https://news.example/upsert",
          summary: { tldr: "Second take.", keyPoints: [], markdown: "", tags: [] },
        }),
      );
      expect(second.id).toBe(first.id);
      expect((await store.getArticle(first.id))?.summary.tldr).toBe("Second take.");
      const versions = await executor.query<{ tldr: string }>(
        "select content->>'tldr' as tldr from summaries where article_id = $1 order by created_at",
        [first.id],
      );
      expect(versions.map((v) => v.tldr)).toEqual(["Libraries anchor small towns.", "Second take."]);
      expect(await store.getArticleByCanonicalUrl("https://news.example/upsert")).toMatchObject({ id: first.id });
      expect(await store.getArticle("not-a-uuid")).toBeNull();
    });

    it("searches with ranking and highlighted snippets, in any language, with cursor pages", async () => {
      const tag = randomUUID().slice(0, 8);
      await store.upsertArticle(
        article({ title: `Harbour seals return ${tag}`, text: `Seals seals seals ${tag} on the coast.` }),
      );
      await store.upsertArticle(
        article({ title: `Coastal walks ${tag}`, text: `A walk where you may see seals ${tag}.` }),
      );
      await store.upsertArticle(
        article({
          title: `Bibliothèques rurales ${tag}`,
          lang: "fr",
          text: `Les bibliothèques des villages deviennent des lieux de vie ${tag}.`,
        }),
      );
      const page = await store.searchArticles({ q: `seals ${tag}`, limit: 1 });
      expect(page.items).toHaveLength(1);
      expect(page.items[0]?.title).toBe(`Harbour seals return ${tag}`);
      expect(page.items[0]?.snippet).toMatch(/<b>seals<\/b>/i);
      const next = await store.searchArticles({ q: `seals ${tag}`, limit: 1, cursor: page.nextCursor });
      expect(next.items.map((i) => i.title)).toEqual([`Coastal walks ${tag}`]);
      expect(next.nextCursor).toBeUndefined();
      const french = await store.searchArticles({ q: `bibliothèques ${tag}` });
      expect(french.items.map((i) => i.title)).toEqual([`Bibliothèques rurales ${tag}`]);
      const newest = await store.searchArticles({ limit: 2 });
      expect(newest.items[0]?.title).toBe(`Bibliothèques rurales ${tag}`);
      expect(newest.nextCursor).toBeDefined();
    });

    it("stores hostile text: 10 MB, NUL bytes, lone surrogates, very long URLs", async () => {
      const big = "word ".repeat(2_000_000);
      const saved = await store.upsertArticle(
        article({ text: `nul\u0000byte and lone \ud800 surrogate ${big}`, title: "Odd\u0000 title \udfff" }),
      );
      const loaded = await store.getArticle(saved.id);
      expect(loaded?.text.startsWith("nulbyte and lone \ufffd surrogate")).toBe(true);
      expect(loaded?.text.length).toBeGreaterThan(9_000_000);
      expect(loaded?.title).toBe("Odd title \ufffd");
      const longUrl = `https://a.example/${"x".repeat(6_000)}`;
      expect((await store.upsertArticle(article({ url: longUrl }))).url).toBe(longUrl);
    });

    it("caches transcript chunks by media, window and model", async () => {
      const key = { mediaUrl: `https://cdn.example/${randomUUID()}.mp3`, startSec: 0, endSec: 600, model: "whisper-1" };
      expect(await store.getTranscriptChunk(key)).toBeNull();
      await store.putTranscriptChunk(key, {
        source: "openai",
        text: "hello",
        segments: [{ start: 0, end: 1, text: "hello" }],
      });
      expect(await store.getTranscriptChunk(key)).toMatchObject({ text: "hello" });
      expect(await store.getTranscriptChunk({ ...key, model: "other" })).toBeNull();
    });
  });
}

contract("PGlite", async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "as-store-"));
  return {
    executor: await createPgliteExecutor(dir),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

describe.skipIf(!postgresUp)("with PostgreSQL", () => {
  const database = `as_test_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const admin = postgres(POSTGRES_URL, { max: 1, onnotice: () => undefined });
  contract("PostgreSQL (fresh database)", async () => {
    await admin.unsafe(`create database ${database}`);
    const url = new URL(POSTGRES_URL);
    url.pathname = `/${database}`;
    return {
      executor: createPostgresExecutor(url.toString()),
      cleanup: async () => {
        await admin.unsafe(`drop database if exists ${database} with (force)`);
        await admin.end();
      },
    };
  });
});
