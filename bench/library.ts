import { randomUUID } from "node:crypto";
import postgres from "postgres";
import type { NewArticle } from "@/lib/domain";
import { createPostgresExecutor } from "@/lib/store/sql";
import { createSqlStore } from "@/lib/store/sql-store";
import type { LibraryQuery } from "@/lib/store/store";
import { POSTGRES_URL } from "../tests/helpers/services";
import { percentile, round } from "./corpus";

/**
 * npm run bench:library [-- <articles>] — the library page (library_browse) over 10,000 synthesized articles on the
 * local PostgreSQL (a fresh database, dropped afterwards), with the reader's state spread over them (a third
 * archived, a tenth favourites, half read, 500 with a highlight and a note): p50/p95 per query shape, 100 runs each,
 * for the reader's filters alone and combined with search, tag, kind and paging. Prints JSON.
 */
const ARTICLES = Number(process.argv[2] ?? 10_000);
const RUNS = 100;

const VOCABULARY = Array.from({ length: 5_000 }, (_, i) => `w${i.toString(36)}${"aeiou"[i % 5]}`);
let seed = 7;
const random = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  return seed / 2 ** 31;
};
const word = () => VOCABULARY[Math.floor(random() ** 2 * VOCABULARY.length)] ?? "w";
const sentence = (n: number) => Array.from({ length: n }, word).join(" ");
const TAGS = Array.from({ length: 40 }, (_, i) => `tag${i}`);

function article(i: number): NewArticle {
  const url = `https://bench.example/${i}`;
  const text = Array.from({ length: 60 }, () => `${sentence(15)}.`).join(" ");
  return {
    url,
    canonicalUrl: url,
    title: sentence(6),
    byline: null,
    siteName: `Site ${i % 25}`,
    lang: "en",
    publishedTime: null,
    excerpt: null,
    text,
    html: "",
    leadImage: null,
    media: i % 7 === 0 ? [{ kind: "audio", url: `https://cdn.bench.example/${i}.mp3` }] : [],
    ...(i % 7 === 0 ? { transcript: { source: "openai", text: sentence(200) } } : {}),
    summary: {
      tldr: sentence(20),
      keyPoints: [sentence(10)],
      markdown: sentence(40),
      tags: [TAGS[i % TAGS.length] as string, TAGS[(i * 7) % TAGS.length] as string],
    },
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

async function main() {
  const admin = postgres(POSTGRES_URL, { max: 1, onnotice: () => undefined });
  const database = `as_bench_${randomUUID().replaceAll("-", "").slice(0, 10)}`;
  try {
    await admin.unsafe(`create database ${database}`);
    const url = new URL(POSTGRES_URL);
    url.pathname = `/${database}`;
    const executor = createPostgresExecutor(url.toString());
    const store = await createSqlStore(executor);
    const t0 = performance.now();
    const ids: string[] = [];
    for (let i = 0; i < ARTICLES; i += 50) {
      const saved = await Promise.all(
        Array.from({ length: Math.min(50, ARTICLES - i) }, (_, j) => store.upsertArticle(article(i + j))),
      );
      ids.push(...saved.map((a) => a.id));
    }
    const insertSeconds = (performance.now() - t0) / 1000;
    // The reader's state, spread deterministically; then highlights with notes through the port (they feed search).
    const t1 = performance.now();
    for (let i = 0; i < ids.length; i += 200) {
      await Promise.all(
        ids.slice(i, i + 200).map((id, j) => {
          const n = i + j;
          return store.updateArticle(id, {
            state: n % 3 === 0 ? "archived" : "inbox",
            favorite: n % 10 === 1,
            read: n % 2 === 0,
          });
        }),
      );
    }
    const annotated = ids.filter((_, i) => i % 20 === 0);
    for (const [n, id] of annotated.entries()) {
      const saved = await store.getArticle(id);
      const quote = saved?.text.slice(0, 60).trim() ?? "";
      await store.addHighlight(id, { quote, note: `note${n % 50} margin`, source: "text", offset: 0, startSec: null });
    }
    const triageSeconds = (performance.now() - t1) / 1000;

    const common = () => VOCABULARY[Math.floor(random() * 20)] ?? "w";
    const rare = () => VOCABULARY[2_000 + Math.floor(random() * 3_000)] ?? "w";
    // Unread articles have odd numbers, and so their tags: ask for those.
    const tag = () => TAGS[1 + 2 * Math.floor(random() * (TAGS.length / 2))] as string;
    const shapes: Record<string, () => LibraryQuery> = {
      inbox: () => ({ state: "inbox" }),
      inboxPage5: () => ({ state: "inbox", offset: 80 }),
      archivedFavoriteUnread: () => ({ state: "archived", favorite: true, read: false }),
      favorites: () => ({ favorite: true }),
      inboxUnreadTag: () => ({ state: "inbox", read: false, tag: tag() }),
      inboxPodcasts: () => ({ state: "inbox", kind: "podcast" }),
      inboxSearchCommon: () => ({ state: "inbox", q: common(), sort: "relevance" }),
      inboxSearchRare: () => ({ state: "inbox", q: rare() }),
      allSearchNote: () => ({ q: `note${Math.floor(random() * 50)}` }),
      archivedFavoriteUnreadSearch: () => ({ state: "archived", favorite: true, read: false, q: common() }),
      everything: () => ({}),
    };
    const all: number[] = [];
    const byShape: Record<string, { p50Ms: number; p95Ms: number; total: number }> = {};
    for (const [name, shape] of Object.entries(shapes)) {
      const timings: number[] = [];
      let total = 0;
      for (let i = 0; i < RUNS; i++) {
        const s0 = performance.now();
        total = (await store.browseLibrary({ limit: 20, ...shape() })).total;
        timings.push(performance.now() - s0);
      }
      all.push(...timings);
      byShape[name] = { p50Ms: round(percentile(timings, 50), 2), p95Ms: round(percentile(timings, 95), 2), total };
    }
    await store.close();
    console.log(
      JSON.stringify(
        {
          store: "postgres",
          articles: ARTICLES,
          highlights: annotated.length,
          insertsPerSecond: round(ARTICLES / insertSeconds),
          triageSeconds: round(triageSeconds, 1),
          libraryP50Ms: round(percentile(all, 50), 2),
          libraryP95Ms: round(percentile(all, 95), 2),
          queries: all.length,
          byShape,
        },
        null,
        2,
      ),
    );
  } finally {
    await admin.unsafe(`drop database if exists ${database} with (force)`).catch(() => undefined);
    await admin.end();
  }
}

void main();
