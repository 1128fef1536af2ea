import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import type { NewArticle } from "@/lib/domain";
import { createPgliteExecutor, createPostgresExecutor, type SqlExecutor } from "@/lib/store/sql";
import { createSqlStore } from "@/lib/store/sql-store";
import { POSTGRES_URL } from "../tests/helpers/services";
import { percentile, round } from "./corpus";

/**
 * npm run bench:store [-- <articles>] — insert throughput and full-text search latency over 10,000 synthesized
 * articles (~900 words each), on PGlite and on the local PostgreSQL (a fresh database, dropped afterwards).
 * Search latency by query kind: a common word (many matches to rank), a rare word, two words, a quoted phrase, and the
 * second page through the cursor; plus the newest-first listing. Prints JSON.
 */
const ARTICLES = Number(process.argv[2] ?? 10_000);
const PER_KIND = 100;

// A deterministic vocabulary with a long tail, so some terms are rare and some are everywhere.
const VOCABULARY = Array.from({ length: 5_000 }, (_, i) => `w${i.toString(36)}${"aeiou"[i % 5]}`);
let seed = 42;
const random = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  return seed / 2 ** 31;
};
const word = () => VOCABULARY[Math.floor(random() ** 2 * VOCABULARY.length)] ?? "w";
const sentence = (n: number) => Array.from({ length: n }, word).join(" ");

function article(i: number): NewArticle {
  const url = `https://bench.example/${i}`;
  return {
    url,
    canonicalUrl: url,
    title: sentence(6),
    byline: null,
    siteName: "Bench",
    lang: "en",
    publishedTime: null,
    excerpt: null,
    text: Array.from({ length: 60 }, () => `${sentence(15)}.`).join(" "),
    html: "",
    leadImage: null,
    media: [],
    summary: { tldr: sentence(20), keyPoints: [sentence(10)], markdown: sentence(40), tags: [word()] },
    provenance: {
      extractor: "bench",
      model: "extractive",
      promptVersion: "v",
      path: "extractive",
      inputTokens: 0,
      outputTokens: 0,
      costUsd: 0,
    },
  };
}

async function run(name: string, executor: SqlExecutor) {
  const store = await createSqlStore(executor);
  const t0 = performance.now();
  for (let i = 0; i < ARTICLES; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, ARTICLES - i) }, (_, j) => store.upsertArticle(article(i + j))),
    );
  }
  const insertSeconds = (performance.now() - t0) / 1000;
  // Ranks in the vocabulary: low ranks are frequent (the random()**2 skew), high ranks rare.
  const common = () => VOCABULARY[Math.floor(random() * 20)] ?? "w";
  const rare = () => VOCABULARY[2_000 + Math.floor(random() * 3_000)] ?? "w";
  const kinds: Record<string, () => Promise<unknown>> = {
    common: () => store.searchArticles({ q: common(), limit: 20 }),
    rare: () => store.searchArticles({ q: rare(), limit: 20 }),
    twoWords: () => store.searchArticles({ q: `${common()} ${word()}`, limit: 20 }),
    phrase: () => store.searchArticles({ q: `"${word()} ${word()}"`, limit: 20 }),
    secondPage: async () => {
      const q = common();
      const first = await store.searchArticles({ q, limit: 20 });
      const s0 = performance.now();
      await store.searchArticles({ q, limit: 20, cursor: first.nextCursor });
      return performance.now() - s0;
    },
    newest: () => store.searchArticles({ limit: 20 }),
  };
  const all: number[] = [];
  const byKind: Record<string, { p50Ms: number; p95Ms: number }> = {};
  for (const [kind, search] of Object.entries(kinds)) {
    const timings: number[] = [];
    for (let i = 0; i < PER_KIND; i++) {
      const s0 = performance.now();
      const inner = await search();
      timings.push(typeof inner === "number" ? inner : performance.now() - s0);
    }
    if (kind !== "newest") all.push(...timings);
    byKind[kind] = { p50Ms: round(percentile(timings, 50), 2), p95Ms: round(percentile(timings, 95), 2) };
  }
  await store.close();
  return {
    store: name,
    articles: ARTICLES,
    insertsPerSecond: round(ARTICLES / insertSeconds),
    searchP50Ms: round(percentile(all, 50), 2),
    searchP95Ms: round(percentile(all, 95), 2),
    searches: all.length,
    byKind,
  };
}

async function main() {
  const results = [];
  const dir = mkdtempSync(path.join(os.tmpdir(), "as-bench-"));
  try {
    results.push(await run("pglite", await createPgliteExecutor(dir)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const admin = postgres(POSTGRES_URL, { max: 1, onnotice: () => undefined });
  const database = `as_bench_${randomUUID().replaceAll("-", "").slice(0, 10)}`;
  try {
    await admin.unsafe(`create database ${database}`);
    const url = new URL(POSTGRES_URL);
    url.pathname = `/${database}`;
    results.push(await run("postgres", createPostgresExecutor(url.toString())));
  } catch (error) {
    results.push({ store: "postgres", skipped: String(error) });
  } finally {
    await admin.unsafe(`drop database if exists ${database} with (force)`).catch(() => undefined);
    await admin.end();
  }
  console.log(JSON.stringify({ results }, null, 2));
}

void main();
