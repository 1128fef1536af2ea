import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import type { NewArticle } from "@/lib/domain";
import { createPgliteExecutor, createPostgresExecutor, type SqlExecutor } from "@/lib/store/sql";
import { createSqlStore } from "@/lib/store/sql-store";
import { percentile, round } from "./corpus";

/**
 * npm run bench:store — insert throughput and full-text search latency over 10,000 synthesized articles,
 * on PGlite and on the local PostgreSQL (a fresh database, dropped afterwards). Prints JSON.
 */
const ARTICLES = Number(process.argv[2] ?? 10_000);
const SEARCHES = 200;
const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

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
    text: Array.from({ length: 12 }, () => `${sentence(15)}.`).join(" "),
    html: "",
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
  const timings: number[] = [];
  for (let i = 0; i < SEARCHES; i++) {
    const q = i % 4 === 0 ? `${word()} ${word()}` : word();
    const s0 = performance.now();
    await store.searchArticles({ q, limit: 20 });
    timings.push(performance.now() - s0);
  }
  const l0 = performance.now();
  await store.searchArticles({ limit: 20 });
  const newestMs = performance.now() - l0;
  await store.close();
  return {
    store: name,
    articles: ARTICLES,
    insertsPerSecond: round(ARTICLES / insertSeconds),
    searchP50Ms: round(percentile(timings, 50), 2),
    searchP95Ms: round(percentile(timings, 95), 2),
    newestPageMs: round(newestMs, 2),
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
