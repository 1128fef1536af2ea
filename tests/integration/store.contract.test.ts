import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { transition } from "@/lib/jobs/transitions";
import { migrate } from "@/lib/store/migrate";
import {
  ARTICLE_SCHEMA,
  HIGHLIGHT_SCHEMA,
  JOB_SCHEMA,
  MAX_URL_BYTES,
  SEARCH_COLUMNS,
  TRANSCRIPT_CHUNK_SCHEMA,
} from "@/lib/store/rows";
import { createPgliteExecutor, createPostgresExecutor, type SqlExecutor } from "@/lib/store/sql";
import { createSqlStore } from "@/lib/store/sql-store";
import type { Store } from "@/lib/store/store";
import { createSupabaseStore } from "@/lib/store/supabase-store";
import { type RecordedRequest, startPostgrestFake } from "../helpers/postgrest-fake";
import { POSTGRES_URL, serviceAvailable } from "../helpers/services";
import { article } from "./store-fixtures";

/**
 * One contract for every Store adapter: PGlite, PostgreSQL (a fresh database per run) and supabase-js (through a
 * loopback PostgREST stand-in executing against a fresh PostgreSQL database, its requests checked against the catalog).
 */

const postgresUp = await serviceAvailable("postgres");

interface Opened {
  store: Store;
  /** The database behind the store, for checks the port does not expose (summary versions, catalog). */
  db: SqlExecutor;
  cleanup: () => Promise<void>;
}

const newJob = (url = `https://a.example/${randomUUID()}`) => ({
  id: `job_${randomUUID()}`,
  url,
  canonicalUrl: url,
  force: false,
});

/** Random URL characters do not compress, so they reach the btree limit that a repeated letter would not. */
const randomUrl = (bytes: number) => {
  const base = "https://a.example/";
  return (
    base +
    randomBytes(bytes)
      .toString("hex")
      .slice(0, bytes - base.length)
  );
};

function contract(name: string, open: () => Promise<Opened>, more?: (get: () => Opened) => void) {
  describe(`Store contract: ${name}`, () => {
    let opened: Opened;
    let store: Store;
    let db: SqlExecutor;
    beforeAll(async () => {
      opened = await open();
      ({ store, db } = opened);
    });
    afterAll(async () => {
      await opened?.store.close();
      await opened?.cleanup();
    });

    it("answers ping", async () => {
      expect(await store.ping()).toBe(true);
    });

    it("creates, reads, updates and lists jobs; patches merge step timings and clear with null", async () => {
      const input = newJob();
      const { job, created } = await store.createJob(input);
      expect(created).toBe(true);
      expect(job).toMatchObject({
        id: input.id,
        url: input.url,
        status: "queued",
        attempts: 0,
        steps: {},
        force: false,
      });
      expect(await store.getJob(input.id)).toEqual(job);
      await store.updateJob(input.id, { status: "running", step: "fetch", steps: { fetch: { startedAt: 1 } } });
      const updated = await store.updateJob(input.id, {
        steps: { fetch: { startedAt: 1, finishedAt: 5 }, extract: { startedAt: 6 } },
        reason: "timeout",
        message: "slow",
        attempts: 2,
        runId: "run_1",
        costUsd: 0.0125,
      });
      expect(updated.steps).toEqual({ fetch: { startedAt: 1, finishedAt: 5 }, extract: { startedAt: 6 } });
      expect(updated).toMatchObject({
        status: "running",
        step: "fetch",
        reason: "timeout",
        message: "slow",
        attempts: 2,
        runId: "run_1",
        costUsd: 0.0125,
      });
      const cleared = await store.updateJob(input.id, { reason: null, message: null, status: "failed" });
      expect(cleared.reason).toBeUndefined();
      expect(cleared.message).toBeUndefined();
      expect(cleared.runId).toBe("run_1");
      expect((await store.listJobs({ status: "failed" })).map((j) => j.id)).toContain(input.id);
      expect((await store.listJobs({ status: "queued" })).map((j) => j.id)).not.toContain(input.id);
      expect(await store.getJob("job_missing")).toBeNull();
    });

    it("dismisses a failed job from the inbox and restores it; only failed or cancelled jobs; a patch clears it", async () => {
      const failed = (await store.createJob(newJob())).job;
      const running = (await store.createJob(newJob())).job;
      await store.updateJob(failed.id, { status: "failed", reason: "http_error", message: "HTTP 404" });
      await store.updateJob(running.id, { status: "running" });
      const before = await store.getJob(failed.id);
      expect(before?.dismissedAt).toBeUndefined();

      const dismissed = await store.dismissJob(failed.id, true);
      expect(dismissed?.id).toBe(failed.id);
      expect(Date.parse(dismissed?.dismissedAt ?? "")).not.toBeNaN();
      // Dismissal is triage, not a change of the job: status, reason and the failure's time stay.
      expect(dismissed).toMatchObject({ status: "failed", reason: "http_error", updatedAt: before?.updatedAt });
      expect((await store.getJob(failed.id))?.dismissedAt).toBe(dismissed?.dismissedAt);
      // A second dismissal keeps the first time.
      expect((await store.dismissJob(failed.id, true))?.dismissedAt).toBe(dismissed?.dismissedAt);

      const open = (await store.listJobs({ status: "failed", dismissed: false, limit: 200 })).map((j) => j.id);
      const hidden = (await store.listJobs({ status: "failed", dismissed: true, limit: 200 })).map((j) => j.id);
      const all = (await store.listJobs({ status: "failed", limit: 200 })).map((j) => j.id);
      expect(open).not.toContain(failed.id);
      expect(hidden).toContain(failed.id);
      expect(all).toContain(failed.id);

      const restored = await store.dismissJob(failed.id, false);
      expect(restored?.dismissedAt).toBeUndefined();
      expect((await store.listJobs({ status: "failed", dismissed: false, limit: 200 })).map((j) => j.id)).toContain(
        failed.id,
      );

      // A running job, or none, cannot be dismissed: null, and nothing changes.
      expect(await store.dismissJob(running.id, true)).toBeNull();
      expect((await store.getJob(running.id))?.dismissedAt).toBeUndefined();
      expect(await store.dismissJob("job_missing", true)).toBeNull();

      // A retry's patch puts a dismissed job back in the inbox.
      await store.dismissJob(failed.id, true);
      const retried = await store.updateJob(failed.id, { status: "queued", dismissedAt: null });
      expect(retried.dismissedAt).toBeUndefined();
    });

    it("adds what steps spent to the job's cost in SQL: 20 concurrent spends lose none; an unknown price stays unknown", async () => {
      const { job } = await store.createJob(newJob());
      // A new job has paid nothing: $0, not unknown.
      expect(job.costUsd).toBe(0);
      const token = `run_${randomUUID()}`;
      expect((await transition(store, "startRun", job.id, { token, patch: { token: "set" } })).ok).toBe(true);
      const spend = (usd: number | null, by = token) =>
        transition(store, "record", job.id, { token: by, patch: { spend: usd } });
      // Parallel statements on a pool of connections (PostgreSQL): each adds to what the row holds when it runs.
      const results = await Promise.all(Array.from({ length: 20 }, () => spend(0.0015)));
      expect(results.every((r) => r.ok)).toBe(true);
      expect((await store.getJob(job.id))?.costUsd).toBeCloseTo(0.03, 9);
      // A run that no longer holds the job adds nothing.
      expect((await spend(1, "another-run")).ok).toBe(false);
      expect((await store.getJob(job.id))?.costUsd).toBeCloseTo(0.03, 9);
      // One unknown price makes the total unknown, and later known ones do not make it known again.
      expect((await spend(null)).job.costUsd).toBeNull();
      expect((await spend(0.25)).job.costUsd).toBeNull();
      expect((await store.getJob(job.id))?.costUsd).toBeNull();
    });

    it("refuses an update of a missing job, and a status outside the schema's check or a reason outside lib/errors.ts", async () => {
      await expect(store.updateJob("job_missing", { status: "running" })).rejects.toMatchObject({
        reason: "storage_failed",
      });
      const { job } = await store.createJob(newJob());
      await expect(store.updateJob(job.id, { reason: "bogus" as never })).rejects.toMatchObject({
        reason: "storage_failed",
        cause: expect.anything(),
      });
      await expect(store.updateJob(job.id, { status: "paused" as never })).rejects.toMatchObject({
        reason: "storage_failed",
      });
      expect((await store.getJob(job.id))?.status).toBe("queued");
    });

    it("makes one job for 20 concurrent submissions of one URL; a finished job lets the next one start", async () => {
      const url = `https://a.example/concurrent/${randomUUID()}`;
      const results = await Promise.all(Array.from({ length: 20 }, () => store.createJob(newJob(url))));
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(results.map((r) => r.job.id)).size).toBe(1);
      const [active] = await db.query<{ n: number }>("select count(*)::int as n from jobs where canonical_url = $1", [
        url,
      ]);
      expect(active?.n).toBe(1);
      await store.updateJob(results[0]?.job.id ?? "", { status: "completed" });
      const again = await store.createJob({ ...newJob(url), force: true });
      expect(again.created).toBe(true);
      expect(again.job.force).toBe(true);
    });

    it("makes one article for 20 concurrent saves of one canonical URL, each a summary version", async () => {
      const url = `https://news.example/concurrent/${randomUUID()}`;
      const saved = await Promise.all(Array.from({ length: 20 }, () => store.upsertArticle(article({ url }))));
      expect(new Set(saved.map((a) => a.id)).size).toBe(1);
      const [versions] = await db.query<{ n: number }>(
        "select count(*)::int as n from summaries where article_id = $1",
        [saved[0]?.id],
      );
      expect(versions?.n).toBe(20);
    });

    it("dedupes by canonical URL, not by the URL the page was fetched from", async () => {
      const canonical = `https://news.example/story/${randomUUID()}`;
      const amp = await store.upsertArticle(article({ url: `${canonical}/amp?utm_source=x`, canonicalUrl: canonical }));
      const plain = await store.upsertArticle(article({ url: `${canonical}?ref=home`, canonicalUrl: canonical }));
      expect(plain.id).toBe(amp.id);
      expect(plain.canonicalUrl).toBe(canonical);
      expect((await store.getArticleByCanonicalUrl(canonical))?.id).toBe(amp.id);
      const [stored] = await db.query<{ n: number }>(
        "select count(*)::int as n from articles where canonical_url = $1",
        [canonical],
      );
      expect(stored?.n).toBe(1);
    });

    it("numbers summary versions in the order they were saved, even within one millisecond", async () => {
      const url = `https://news.example/versions/${randomUUID()}`;
      for (let i = 0; i < 12; i++) {
        await store.upsertArticle(
          article({ url, summary: { tldr: `take ${i}`, keyPoints: [], markdown: "", tags: [] } }),
        );
      }
      const saved = await store.getArticleByCanonicalUrl(url);
      const versions = await db.query<{ tldr: string; version: string | number }>(
        "select content->>'tldr' as tldr, version from summaries where article_id = $1 order by version",
        [saved?.id],
      );
      expect(versions.map((v) => v.tldr)).toEqual(Array.from({ length: 12 }, (_, i) => `take ${i}`));
      expect(new Set(versions.map((v) => Number(v.version))).size).toBe(12);
    });

    it("upserts by canonical URL: the new summary is current, the earlier one stays as a version", async () => {
      const url = `https://news.example/upsert/${randomUUID()}`;
      const first = await store.upsertArticle(article({ url }));
      const second = await store.upsertArticle(
        article({
          url,
          title: "Updated title",
          summary: { tldr: "Second take.", keyPoints: [], markdown: "", tags: [] },
          provenance: { ...article().provenance, model: "gpt-4o-mini", inputTokens: 1200, costUsd: 0.0004 },
        }),
      );
      expect(second.id).toBe(first.id);
      expect(second.createdAt).toBe(first.createdAt);
      const current = await store.getArticle(first.id);
      expect(current).toMatchObject({ title: "Updated title", summary: { tldr: "Second take." } });
      expect(current?.provenance).toMatchObject({ model: "gpt-4o-mini", costUsd: 0.0004 });
      const versions = await db.query<{ tldr: string; model: string; input_tokens: number }>(
        "select content->>'tldr' as tldr, model, input_tokens from summaries where article_id = $1 order by version",
        [first.id],
      );
      expect(versions.map((v) => [v.tldr, v.model, v.input_tokens])).toEqual([
        ["Libraries anchor small towns.", "extractive", 0],
        ["Second take.", "gpt-4o-mini", 1200],
      ]);
      expect(await store.getArticle("not-a-uuid")).toBeNull();
      expect(await store.getArticle(randomUUID())).toBeNull();
    });

    it("keeps summary versions: lists them, adds one as current, makes an earlier one current again", async () => {
      const url = `https://news.example/versions/${randomUUID()}`;
      const cacheKey = `hash-${randomUUID()}:gpt-4o-mini:v1:en`;
      const first = await store.upsertArticle(
        article({ url, provenance: { ...article().provenance, model: "gpt-4o-mini", lang: "en", cacheKey } }),
      );
      const second = await store.addSummary(first.id, {
        summary: { tldr: "Auf Deutsch.", keyPoints: ["a", "b", "c"], markdown: "## Kurz", tags: ["bibliothek"] },
        provenance: { ...article().provenance, model: "gpt-4.1-mini", lang: "de", costUsd: 0.0012 },
      });
      expect(second).toMatchObject({ id: first.id, summary: { tldr: "Auf Deutsch." }, provenance: { lang: "de" } });
      expect(second?.summaryId).not.toBe(first.summaryId);
      const versions = await store.listSummaries(first.id);
      expect(versions.map((v) => [v.model, v.lang, v.current])).toEqual([
        ["gpt-4.1-mini", "de", true],
        ["gpt-4o-mini", "en", false],
      ]);
      const earlier = versions[1];
      const back = await store.setCurrentSummary(first.id, earlier?.id ?? "");
      expect(back).toMatchObject({ summary: { tldr: "Libraries anchor small towns." }, summaryId: earlier?.id });
      expect((await store.getArticle(first.id))?.provenance).toMatchObject({ model: "gpt-4o-mini", cacheKey });
      expect((await store.listSummaries(first.id)).find((v) => v.current)?.id).toBe(earlier?.id);
      // The cache finds the summary by its key; another article's version cannot be made current here.
      expect(await store.findSummary(cacheKey)).toMatchObject({ summary: { tldr: "Libraries anchor small towns." } });
      expect(await store.findSummary(`${cacheKey}-other`)).toBeNull();
      const other = await store.upsertArticle(article());
      expect(await store.setCurrentSummary(other.id, earlier?.id ?? "")).toBeNull();
      expect(
        await store.addSummary(randomUUID(), { summary: article().summary, provenance: article().provenance }),
      ).toBeNull();
      expect(await store.listSummaries("not-a-uuid")).toEqual([]);
    });

    it("does not deduplicate summary jobs by URL, and records a job's language and model", async () => {
      const url = `https://news.example/jobs/${randomUUID()}`;
      const saved = await store.upsertArticle(article({ url }));
      const running = await store.createJob({ ...newJob(url), lang: "fr" });
      const a = await store.createJob({ ...newJob(url), kind: "summary", articleId: saved.id, model: "gpt-4o" });
      const b = await store.createJob({ ...newJob(url), kind: "summary", articleId: saved.id, lang: "de" });
      expect([running.created, a.created, b.created]).toEqual([true, true, true]);
      expect(running.job).toMatchObject({ kind: "article", lang: "fr" });
      expect(a.job).toMatchObject({ kind: "summary", articleId: saved.id, model: "gpt-4o" });
      expect(await store.getJob(b.job.id)).toMatchObject({ kind: "summary", lang: "de" });
      // Article jobs are still one per URL.
      expect((await store.createJob(newJob(url))).job.id).toBe(running.job.id);
    });

    it("round-trips every article field", async () => {
      const input = article({
        media: [{ kind: "audio", url: "https://cdn.example/e1.mp3", type: "audio/mpeg", durationSec: 61 }],
        transcript: {
          source: "openai",
          text: "Hello there.",
          segments: [{ start: 0, end: 1.5, text: "Hello there." }],
        },
        summary: {
          tldr: "t",
          keyPoints: ["a", "b"],
          markdown: "# m",
          tags: ["x"],
          chapters: [{ start: 0, title: "Intro" }],
          quotes: ["q"],
        },
      });
      const saved = await store.upsertArticle(input);
      const loaded = await store.getArticle(saved.id);
      expect(loaded).toEqual({
        ...input,
        // A new article waits in the inbox, unread, without a note or a position.
        state: "inbox",
        read: false,
        favorite: false,
        note: "",
        position: { fraction: null, seconds: null },
        id: saved.id,
        summaryId: saved.summaryId,
        createdAt: saved.createdAt,
        updatedAt: saved.updatedAt,
      });
      expect(saved.summaryId).toMatch(/^[0-9a-f-]{36}$/);
      expect(Number.isNaN(Date.parse(saved.createdAt))).toBe(false);
    });

    it("keeps a transcript version whenever an article's transcript changes", async () => {
      const url = `https://pod.example/${randomUUID()}`;
      const first = await store.upsertArticle(article({ url, transcript: { source: "publisher", text: "one" } }));
      await store.upsertArticle(article({ url, transcript: { source: "publisher", text: "one" } }));
      await store.upsertArticle(article({ url }));
      await store.upsertArticle(article({ url, transcript: { source: "openai", text: "two", model: "whisper-1" } }));
      const versions = await db.query<{ source: string; text: string }>(
        "select source, text from transcripts where article_id = $1 order by created_at, id",
        [first.id],
      );
      expect(versions).toEqual([
        { source: "publisher", text: "one" },
        { source: "openai", text: "two" },
      ]);
      // Saving without a transcript keeps the one the article has.
      expect((await store.getArticle(first.id))?.transcript?.text).toBe("two");
    });

    it("finds an article by the canonical URL of a completed job that produced it", async () => {
      const submitted = `https://short.example/${randomUUID()}`;
      const saved = await store.upsertArticle(article({ url: `https://news.example/declared/${randomUUID()}` }));
      expect(await store.getArticleByCanonicalUrl(submitted)).toBeNull();
      const { job } = await store.createJob(newJob(submitted));
      await store.updateJob(job.id, { status: "running", articleId: saved.id });
      expect(await store.getArticleByCanonicalUrl(submitted)).toBeNull();
      await store.updateJob(job.id, { status: "completed" });
      expect((await store.getArticleByCanonicalUrl(submitted))?.id).toBe(saved.id);
      expect((await store.getArticleByCanonicalUrl(saved.canonicalUrl))?.id).toBe(saved.id);
    });

    it("ranks search results, highlights snippets, and pages with an opaque cursor", async () => {
      const tag = `t${randomUUID().slice(0, 8)}`;
      await store.upsertArticle(
        article({ title: `Harbour seals return ${tag}`, text: `Seals seals seals ${tag} on the coast.` }),
      );
      await store.upsertArticle(
        article({ title: `Coastal walks ${tag}`, text: `A walk where you may see seals ${tag}.` }),
      );
      await store.upsertArticle(article({ title: `Unrelated ${tag}`, text: `Nothing about marine mammals ${tag}.` }));
      const page = await store.searchArticles({ q: `seals ${tag}`, limit: 1 });
      expect(page.items).toHaveLength(1);
      expect(page.items[0]).toMatchObject({ title: `Harbour seals return ${tag}`, siteName: "The Civic Ledger" });
      expect(page.items[0]?.snippet).toMatch(/<b>seals<\/b>/i);
      expect(page.items[0]?.tags).toEqual(["libraries"]);
      expect(page.nextCursor).toMatch(/^[A-Za-z0-9_-]+$/);
      const next = await store.searchArticles({ q: `seals ${tag}`, limit: 1, cursor: page.nextCursor });
      expect(next.items.map((i) => i.title)).toEqual([`Coastal walks ${tag}`]);
      expect(next.items[0]?.rank).toBeLessThan(page.items[0]?.rank ?? 0);
      expect(next.nextCursor).toBeUndefined();
      // websearch syntax: a quoted phrase and an exclusion.
      const phrase = await store.searchArticles({ q: `"harbour seals" ${tag}` });
      expect(phrase.items.map((i) => i.title)).toEqual([`Harbour seals return ${tag}`]);
      const excluded = await store.searchArticles({ q: `${tag} -harbour` });
      expect(excluded.items.map((i) => i.title).sort()).toEqual([`Coastal walks ${tag}`, `Unrelated ${tag}`]);
    });

    it("searches non-English articles (accents, Cyrillic case) and the summary and transcript", async () => {
      const tag = `t${randomUUID().slice(0, 8)}`;
      await store.upsertArticle(
        article({
          title: `Bibliothèques rurales ${tag}`,
          lang: "fr",
          text: `Les bibliothèques des villages deviennent des lieux de vie ${tag}.`,
        }),
      );
      await store.upsertArticle(
        article({ title: `Москва строит библиотеки ${tag}`, lang: "ru", text: `Новые библиотеки Москвы ${tag}.` }),
      );
      await store.upsertArticle(
        article({
          title: `Episode 12 ${tag}`,
          text: `Show notes ${tag}.`,
          summary: { tldr: "A chat.", keyPoints: [], markdown: "Covers **lighthouses** in depth.", tags: [] },
          transcript: { source: "openai", text: `Today we talk about beekeeping on rooftops ${tag}.` },
        }),
      );
      const french = await store.searchArticles({ q: `bibliothèques ${tag}` });
      expect(french.items.map((i) => i.title)).toEqual([`Bibliothèques rurales ${tag}`]);
      expect(french.items[0]?.snippet).toContain("<b>bibliothèques</b>");
      const russian = await store.searchArticles({ q: `москва ${tag}` });
      expect(russian.items.map((i) => i.title)).toEqual([`Москва строит библиотеки ${tag}`]);
      const fromTranscript = await store.searchArticles({ q: `beekeeping ${tag}` });
      expect(fromTranscript.items.map((i) => i.title)).toEqual([`Episode 12 ${tag}`]);
      expect(fromTranscript.items[0]?.snippet).toContain("<b>beekeeping</b>");
      const fromSummary = await store.searchArticles({ q: `lighthouses ${tag}` });
      expect(fromSummary.items.map((i) => i.title)).toEqual([`Episode 12 ${tag}`]);
      expect((await store.searchArticles({ q: `zzznotaword ${tag}` })).items).toEqual([]);
    });

    it("browses the library: filters by kind, tag, site and date combine with search; counts per filter; pages", async () => {
      const t = `t${randomUUID().slice(0, 8)}`;
      const site = `Harbor Radio ${t}`;
      const summary = (tags: string[]) => ({ tldr: "A show.", keyPoints: [], markdown: "", tags: [t, ...tags] });
      await store.upsertArticle(
        article({
          title: `Lighthouse keepers ${t}`,
          siteName: site,
          text: "Show notes.",
          media: [{ kind: "audio", url: "https://cdn.example/ep7.mp3" }],
          transcript: { source: "openai", text: `The lighthouse keeper climbs the stairs ${t}.` },
          summary: summary(["sea"]),
        }),
      );
      await store.upsertArticle(
        article({
          title: `Lighthouse history ${t}`,
          siteName: site,
          text: `A lighthouse essay ${t}.`,
          summary: summary(["sea"]),
        }),
      );
      await store.upsertArticle(
        article({
          title: `A video ${t}`,
          text: `About a lighthouse ${t}.`,
          media: [{ kind: "youtube", url: "https://www.youtube.com/watch?v=dQw4w9WgXcQ" }],
          summary: summary(["film"]),
        }),
      );

      // A word from a transcript, filtered to podcasts.
      const podcasts = await store.browseLibrary({ q: `keeper ${t}`, kind: "podcast" });
      expect(podcasts.items.map((i) => [i.title, i.kind])).toEqual([[`Lighthouse keepers ${t}`, "podcast"]]);
      expect(podcasts.items[0]?.snippet).toContain("<b>keeper</b>");

      const all = await store.browseLibrary({ q: `lighthouse ${t}`, sort: "relevance" });
      expect(all.total).toBe(3);
      expect(all.facets.kind).toEqual({ podcast: 1, article: 1, video: 1 });
      expect(all.facets.site).toContainEqual([site, 2]);
      expect(all.facets.tag).toContainEqual(["sea", 2]);

      // Counts for one filter apply the others: with kind=article, tags count only the article.
      const bySite = await store.browseLibrary({ tag: t, site, kind: "article" });
      expect(bySite.items.map((i) => i.title)).toEqual([`Lighthouse history ${t}`]);
      expect(bySite.facets.kind).toEqual({ podcast: 1, article: 1 });
      expect(bySite.facets.tag).toEqual([
        ["sea", 1],
        [t, 1],
      ]);

      const paged = await store.browseLibrary({ tag: t, limit: 2 });
      const rest = await store.browseLibrary({ tag: t, limit: 2, offset: 2 });
      expect(paged.total).toBe(3);
      expect([...paged.items, ...rest.items].map((i) => i.title)).toEqual([
        `A video ${t}`,
        `Lighthouse history ${t}`,
        `Lighthouse keepers ${t}`,
      ]);
      const today = new Date().toISOString().slice(0, 10);
      expect((await store.browseLibrary({ tag: t, from: today, to: today })).total).toBe(3);
      expect((await store.browseLibrary({ tag: t, to: "2020-01-01" })).total).toBe(0);
    });

    it("triages articles: state, read, favourite, title, tags, note and position patch; filters combine", async () => {
      const t = `t${randomUUID().slice(0, 8)}`;
      const saved = await store.upsertArticle(
        article({ title: `Tidal mills ${t}`, summary: { tldr: "x", keyPoints: [], markdown: "", tags: [t, "mills"] } }),
      );
      const other = await store.upsertArticle(
        article({ title: `Wind mills ${t}`, summary: { tldr: "y", keyPoints: [], markdown: "", tags: [t] } }),
      );
      expect(saved).toMatchObject({
        state: "inbox",
        read: false,
        favorite: false,
        note: "",
        position: { fraction: null, seconds: null },
      });

      const patched = await store.updateArticle(saved.id, {
        state: "archived",
        favorite: true,
        title: `Tide mills of the Rance ${t}`,
        tags: [t, "energy"],
        note: "Compare with La Rance",
        position: { fraction: 0.5 },
      });
      expect(patched).toMatchObject({
        id: saved.id,
        state: "archived",
        read: false,
        favorite: true,
        title: `Tide mills of the Rance ${t}`,
        note: "Compare with La Rance",
        position: { fraction: 0.5, seconds: null },
      });
      expect(patched?.summary.tags).toEqual([t, "energy"]);
      // Absent fields stay; the position's other half too.
      const again = await store.updateArticle(saved.id, { read: true, position: { seconds: 61.5 } });
      expect(again).toMatchObject({
        state: "archived",
        favorite: true,
        read: true,
        position: { fraction: 0.5, seconds: 61.5 },
      });
      expect(await store.getArticle(saved.id)).toEqual(again);
      // The tags are the current version's too, so the library's tag filter and facets see them.
      const [current] = await store.listSummaries(saved.id);
      expect(current?.summary.tags).toEqual([t, "energy"]);
      expect((await store.browseLibrary({ tag: "energy" })).items.map((i) => i.id)).toContain(saved.id);
      expect(await store.updateArticle(randomUUID(), { read: true })).toBeNull();
      expect(await store.updateArticle("not-a-uuid", { read: true })).toBeNull();

      const ids = async (q: Parameters<Store["browseLibrary"]>[0]) =>
        (await store.browseLibrary({ tag: t, ...q })).items.map((i) => i.id).sort();
      expect(await ids({ state: "archived" })).toEqual([saved.id]);
      expect(await ids({ state: "inbox" })).toEqual([other.id]);
      expect(await ids({ state: "archived", favorite: true, read: true })).toEqual([saved.id]);
      expect(await ids({ state: "archived", read: false })).toEqual([]);
      expect(await ids({ favorite: false })).toEqual([other.id]);
      expect(await ids({})).toEqual([saved.id, other.id].sort());
      const [item] = (await store.browseLibrary({ tag: t, state: "archived" })).items;
      expect(item).toMatchObject({ state: "archived", read: true, favorite: true });
    });

    it("keeps highlights with notes, finds articles by them, and deletes an article with all it owns", async () => {
      const t = `t${randomUUID().slice(0, 8)}`;
      const mediaUrl = `https://cdn.example/${t}.mp3`;
      const saved = await store.upsertArticle(
        article({
          title: `Beacons ${t}`,
          media: [{ kind: "audio", url: mediaUrl }],
          transcript: { source: "openai", text: "The keeper lit the lamp." },
        }),
      );
      const chunk = { mediaUrl, startSec: 0, endSec: 600, model: "whisper-1" };
      await store.putTranscriptChunk(chunk, { source: "openai", text: "The keeper lit the lamp." });
      const { job } = await store.createJob(newJob(saved.canonicalUrl));
      await store.updateJob(job.id, { status: "completed", articleId: saved.id });

      const first = await store.addHighlight(saved.id, {
        quote: "lit the lamp",
        note: `kerosene ${t}x`,
        source: "transcript",
        offset: 11,
        startSec: 12.5,
      });
      expect(first).toMatchObject({
        articleId: saved.id,
        quote: "lit the lamp",
        note: `kerosene ${t}x`,
        source: "transcript",
        offset: 11,
        startSec: 12.5,
      });
      const second = await store.addHighlight(saved.id, {
        quote: "paper mill",
        note: null,
        source: "text",
        offset: 9,
        startSec: null,
      });
      expect((await store.listHighlights(saved.id)).map((h) => h.id)).toEqual([first?.id, second?.id]);
      expect(
        await store.addHighlight(randomUUID(), { quote: "x", note: null, source: "text", offset: 0, startSec: null }),
      ).toBeNull();

      // A highlight's note and the article's note are searched, in search and in the library.
      expect((await store.searchArticles({ q: `kerosene ${t}x` })).items.map((i) => i.id)).toEqual([saved.id]);
      await store.updateArticle(saved.id, { note: `lamp oil ${t}n` });
      const byNote = await store.browseLibrary({ q: `${t}n` });
      expect(byNote.items.map((i) => i.id)).toEqual([saved.id]);
      expect(byNote.items[0]?.snippet).toContain(`<b>${t}n</b>`);
      expect((await store.searchArticles({ q: `kerosene ${t}x` })).items.map((i) => i.id)).toEqual([saved.id]);

      expect(await store.deleteHighlight(saved.id, first?.id ?? "")).toBe(true);
      expect(await store.deleteHighlight(saved.id, first?.id ?? "")).toBe(false);
      expect((await store.searchArticles({ q: `kerosene ${t}x` })).items).toEqual([]);
      expect((await store.listHighlights(saved.id)).map((h) => h.id)).toEqual([second?.id]);

      const gone = await store.deleteArticle(saved.id);
      expect(gone?.jobIds).toEqual([job.id]);
      expect(await store.getArticle(saved.id)).toBeNull();
      expect(await store.getJob(job.id)).toBeNull();
      expect(await store.listHighlights(saved.id)).toEqual([]);
      expect(await store.listSummaries(saved.id)).toEqual([]);
      expect(await store.getTranscriptChunk(chunk)).toBeNull();
      // The URL is new again: no article by it, and a new job for it is created.
      expect(await store.getArticleByCanonicalUrl(saved.canonicalUrl)).toBeNull();
      expect((await store.createJob(newJob(saved.canonicalUrl))).created).toBe(true);
      expect(await store.deleteArticle(saved.id)).toBeNull();
    });

    it("lists newest first without a query, and the cursor walks every article exactly once", async () => {
      const latest = await store.upsertArticle(article({ title: "Newest of all" }));
      const first = await store.searchArticles({ limit: 3 });
      expect(first.items[0]?.id).toBe(latest.id);
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.searchArticles({ limit: 7, cursor });
        seen.push(...page.items.map((i) => i.id));
        cursor = page.nextCursor;
      } while (cursor);
      const [total] = await db.query<{ n: number }>("select count(*)::int as n from articles");
      expect(seen.length).toBe(total?.n);
      expect(new Set(seen).size).toBe(seen.length);
      // A cursor that is not ours is a named 400 (invalid_body), never a query the database refuses.
      await expect(store.searchArticles({ limit: 1, cursor: "garbage!" })).rejects.toMatchObject({
        reason: "invalid_body",
      });
    });

    it("stores hostile text: 10 MB, NUL bytes, lone surrogates; in queries and job messages too", async () => {
      const big = "word ".repeat(2_000_000);
      const saved = await store.upsertArticle(
        article({ text: `nul\u0000byte and lone \ud800 surrogate ${big}`, title: "Odd\u0000 title \udfff" }),
      );
      const loaded = await store.getArticle(saved.id);
      expect(loaded?.text.startsWith("nulbyte and lone \ufffd surrogate")).toBe(true);
      expect(loaded?.text.length).toBeGreaterThan(9_000_000);
      expect(loaded?.title).toBe("Odd title \ufffd");
      const hits = await store.searchArticles({ q: "nulbyte \u0000 \ud800" });
      expect(hits.items.map((i) => i.id)).toContain(saved.id);
      const { job } = await store.createJob(newJob(`https://a.example/${randomUUID()}?q=\u0000`));
      expect(job.url).not.toContain("\u0000");
      const failed = await store.updateJob(job.id, { status: "failed", message: "bad \u0000 \udc00 bytes" });
      expect(failed.message).toBe("bad  \ufffd bytes");
    });

    it("stores URLs up to the size limit and refuses longer ones with invalid_url", async () => {
      const longest = randomUrl(MAX_URL_BYTES);
      expect((await store.upsertArticle(article({ url: longest }))).canonicalUrl).toBe(longest);
      expect((await store.createJob(newJob(longest))).created).toBe(true);
      const tooLong = randomUrl(8_000);
      await expect(store.upsertArticle(article({ url: tooLong }))).rejects.toMatchObject({ reason: "invalid_url" });
      await expect(store.createJob(newJob(tooLong))).rejects.toMatchObject({ reason: "invalid_url" });
      expect(await store.getArticleByCanonicalUrl(tooLong)).toBeNull();
      const key = { mediaUrl: tooLong, startSec: 0, endSec: 10, model: "m" };
      await expect(store.putTranscriptChunk(key, { source: "openai", text: "x" })).rejects.toMatchObject({
        reason: "invalid_url",
      });
      expect(await store.getTranscriptChunk(key)).toBeNull();
    });

    it("caches transcript chunks by media, window and model; a second put replaces", async () => {
      const key = {
        mediaUrl: `https://cdn.example/${randomUUID()}.mp3`,
        startSec: 0,
        endSec: 600.5,
        model: "whisper-1",
      };
      expect(await store.getTranscriptChunk(key)).toBeNull();
      const transcript = { source: "openai", text: "hello", segments: [{ start: 0, end: 1.25, text: "hello" }] };
      await store.putTranscriptChunk(key, transcript);
      expect(await store.getTranscriptChunk(key)).toEqual(transcript);
      await store.putTranscriptChunk(key, { source: "openai", text: "hello again" });
      expect((await store.getTranscriptChunk(key))?.text).toBe("hello again");
      expect(await store.getTranscriptChunk({ ...key, model: "other" })).toBeNull();
      expect(await store.getTranscriptChunk({ ...key, endSec: 600 })).toBeNull();
    });

    it("trims finished jobs older than the cutoff, oldest first and in batches, never running ones", async () => {
      const make = async (status: "completed" | "failed" | "running", ageDays: number) => {
        const { job } = await store.createJob(newJob());
        await store.updateJob(job.id, { status });
        // Backdated directly: the store always stamps updated_at with now().
        await db.query(`update jobs set updated_at = now() - make_interval(days => $2::integer) where id = $1`, [
          job.id,
          ageDays,
        ]);
        return job.id;
      };
      const oldest = await make("completed", 50);
      const older = await make("failed", 40);
      const stuck = await make("running", 60);
      const recent = await make("completed", 1);
      const cutoff = new Date(Date.now() - 30 * 24 * 60 * 60 * 1000);

      expect(await store.trimFinishedJobs(cutoff, 1)).toEqual([oldest]);
      expect(await store.trimFinishedJobs(cutoff, 100)).toEqual([older]);
      expect(await store.trimFinishedJobs(cutoff, 100)).toEqual([]);
      expect(await store.getJob(oldest)).toBeNull();
      expect(await store.getJob(older)).toBeNull();
      expect((await store.getJob(stuck))?.status).toBe("running");
      expect((await store.getJob(recent))?.status).toBe("completed");
    });

    it("keeps the admin session version: 0 at first, moved on by one per revocation, concurrent ones included", async () => {
      const start = await store.sessionVersion();
      expect(start).toBe(0);
      expect(await store.revokeSessions()).toBe(start + 1);
      expect(await store.sessionVersion()).toBe(start + 1);
      const both = await Promise.all([store.revokeSessions(), store.revokeSessions()]);
      expect(both.sort((a, b) => a - b)).toEqual([start + 2, start + 3]);
      expect(await store.sessionVersion()).toBe(start + 3);
    });

    more?.(() => opened);
  });
}

/** The schema checks that do not depend on the adapter: they run on every database the contract uses. */
function schemaChecks(get: () => Opened) {
  it("migrations are recorded and a second run applies nothing", async () => {
    const { db } = get();
    expect(await migrate(db)).toEqual([]);
    const names = await db.query<{ name: string }>("select name from schema_migrations order by name");
    expect(names.length).toBeGreaterThanOrEqual(2);
  });

  it("the row types the code uses match the migrated columns and their nullability", async () => {
    const { db } = get();
    const schema = async (table: string) =>
      Object.fromEntries(
        (
          await db.query<{ column_name: string; is_nullable: string }>(
            "select column_name, is_nullable from information_schema.columns where table_schema = 'public' and table_name = $1",
            [table],
          )
        ).map((r) => [r.column_name, r.is_nullable === "YES" ? "null" : "not null"]),
      );
    const used = (declared: Record<string, string>, actual: Record<string, string>) =>
      Object.fromEntries(Object.keys(declared).map((c) => [c, actual[c] ?? "missing"]));
    const jobs = await schema("jobs");
    const articles = await schema("articles");
    const chunks = await schema("transcript_chunks");
    expect(used(JOB_SCHEMA, jobs)).toEqual(JOB_SCHEMA);
    expect(used(ARTICLE_SCHEMA, articles)).toEqual(ARTICLE_SCHEMA);
    expect(used(TRANSCRIPT_CHUNK_SCHEMA, chunks)).toEqual(TRANSCRIPT_CHUNK_SCHEMA);
    expect(used(HIGHLIGHT_SCHEMA, await schema("highlights"))).toEqual(HIGHLIGHT_SCHEMA);
    const [search] = await db.query<{ names: string[] }>(
      "select to_json(proargnames[pronargs + 1:]) as names from pg_proc where proname = 'search_articles'",
    );
    expect(search?.names).toEqual([...SEARCH_COLUMNS]);
  });

  it("enables row level security on every table, with no policies", async () => {
    const { db } = get();
    const tables = await db.query<{ relname: string; relrowsecurity: boolean }>(
      "select relname, relrowsecurity from pg_class where relnamespace = 'public'::regnamespace and relkind = 'r' and relname <> 'schema_migrations'",
    );
    expect(tables.map((t) => t.relname).sort()).toEqual([
      "articles",
      "auth_state",
      "highlights",
      "import_items",
      "imports",
      "job_steps",
      "jobs",
      "subscription_item_keys",
      "subscription_items",
      "subscriptions",
      "summaries",
      "transcript_chunks",
      "transcripts",
      "webhook_deliveries",
      "webhook_endpoints",
    ]);
    expect(tables.filter((t) => !t.relrowsecurity)).toEqual([]);
    expect(await db.query("select * from pg_policies where schemaname = 'public'")).toEqual([]);
  });
}

/** Every table, column, filter and function the supabase adapter used exists in PostgreSQL's catalog. */
function postgrestChecks(recorded: () => RecordedRequest[], get: () => Opened) {
  it("used only tables, columns, filters and functions that exist in the migrated catalog", async () => {
    const { db } = get();
    const columns = new Map<string, Set<string>>();
    for (const row of await db.query<{ table_name: string; column_name: string }>(
      "select table_name, column_name from information_schema.columns where table_schema = 'public'",
    )) {
      if (!columns.has(row.table_name)) columns.set(row.table_name, new Set());
      columns.get(row.table_name)?.add(row.column_name);
    }
    const functionArgs = new Map<string, string[]>();
    for (const row of await db.query<{ proname: string; args: string[] | null }>(
      "select proname, to_json(proargnames[1:pronargs]) as args from pg_proc where pronamespace = 'public'::regnamespace",
    )) {
      functionArgs.set(row.proname, row.args ?? []);
    }

    const problems: string[] = [];
    const used = new Set<string>();
    for (const req of recorded()) {
      const route = req.path.replace(/^\/rest\/v1\//, "");
      if (route.startsWith("rpc/")) {
        const fn = route.slice(4);
        used.add(`${req.method} ${route}`);
        const args = functionArgs.get(fn);
        if (!args) problems.push(`function ${fn} does not exist`);
        for (const key of Object.keys((req.body as object) ?? {}))
          if (!args?.includes(key)) problems.push(`${fn}(${key}) is not a parameter`);
        continue;
      }
      used.add(`${req.method} ${route}`);
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
    // Everything the port does went through these routes: a new route must be added here on purpose.
    expect([...used].sort()).toEqual([
      "GET articles",
      "GET highlights",
      "GET jobs",
      "GET summaries",
      "GET transcript_chunks",
      "POST rpc/add_highlight",
      "POST rpc/add_summary",
      "POST rpc/create_job",
      "POST rpc/current_session_version",
      "POST rpc/delete_article",
      "POST rpc/delete_highlight",
      "POST rpc/dismiss_job",
      "POST rpc/library_browse",
      "POST rpc/revoke_sessions",
      "POST rpc/save_article",
      "POST rpc/search_articles",
      "POST rpc/set_current_summary",
      "POST rpc/transition_job",
      "POST rpc/trim_finished_jobs",
      "POST rpc/update_article",
      "POST rpc/update_job",
      "POST transcript_chunks",
    ]);
  });
}

contract(
  "PGlite",
  async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "as-store-"));
    const db = await createPgliteExecutor(dir);
    return {
      store: await createSqlStore(db),
      db,
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    };
  },
  schemaChecks,
);

describe.skipIf(!postgresUp)("with PostgreSQL", () => {
  const admin = postgres(POSTGRES_URL, { max: 1, onnotice: () => undefined });
  const databases: string[] = [];
  afterAll(async () => {
    for (const name of databases) await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  });

  /** A fresh database for one suite, dropped after the run. */
  async function freshDatabase(): Promise<string> {
    const name = `as_test_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
    databases.push(name);
    await admin.unsafe(`create database ${name}`);
    const url = new URL(POSTGRES_URL);
    url.pathname = `/${name}`;
    return url.toString();
  }

  contract(
    "PostgreSQL (fresh database)",
    async () => {
      const db = createPostgresExecutor(await freshDatabase());
      return { store: await createSqlStore(db), db, cleanup: async () => {} };
    },
    schemaChecks,
  );

  let recorded: RecordedRequest[] = [];
  contract(
    "supabase-js through PostgREST on PostgreSQL (fresh database)",
    async () => {
      // Supabase users apply the same files with `supabase db push`.
      const db = createPostgresExecutor(await freshDatabase());
      await migrate(db);
      const fake = await startPostgrestFake(db);
      recorded = fake.recorded;
      return {
        store: createSupabaseStore(fake.url, "service-role-key"),
        db,
        cleanup: async () => {
          await fake.close();
          await db.close();
        },
      };
    },
    (get) => postgrestChecks(() => recorded, get),
  );
});
