import { randomUUID } from "node:crypto";
import postgres from "postgres";
import { pollMany } from "@/lib/feeds/poll";
import type { ProgressKv } from "@/lib/progress/kv";
import { createPgliteExecutor, createPostgresExecutor, type SqlExecutor } from "@/lib/store/sql";
import { createSqlStore } from "@/lib/store/sql-store";
import { type FeedItemSpec, rss, startFeedServer } from "../tests/helpers/feed-server";
import { feedServices } from "../tests/helpers/feed-services";
import { POSTGRES_URL } from "../tests/helpers/services";

/**
 * npm run bench:feeds [-- <subscriptions>] — one polling round of N subscriptions (default 200) on a loopback feed
 * server with ETags: wall time, database statements, KV commands and HTTP requests, (a) with every feed answering
 * 304 and (b) with 10 % of them changed (one new item each). Then 5 rounds in which every feed reorders its items,
 * changes some guids (links kept), drops old items and adds new ones: items found vs added, duplicates and misses
 * against the truth. PostgreSQL (fresh database, dropped after) when it answers, else PGlite. Prints JSON.
 *
 * The feeds share one host (loopback), so the per-host bound is raised to the overall concurrency (8): this
 * measures the poll, not the politeness towards one host.
 */
const N = Number(process.argv[2] ?? 200);
const CONCURRENCY = 8;
const ITEMS_PER_FEED = 20;

/** Counts statements through the executor (each is one round trip to the database). */
function counting(db: SqlExecutor): { db: SqlExecutor; count: () => number } {
  let n = 0;
  const wrapped: SqlExecutor = {
    ...db,
    kind: db.kind,
    query: (text, params) => {
      n++;
      return db.query(text, params);
    },
    transaction: (fn) => db.transaction(fn),
    close: () => db.close(),
  };
  return { db: wrapped, count: () => n };
}

/** Counts KV commands: each method call of the port is one command (the memory adapter stands in for Redis). */
function countingKv(kv: ProgressKv): { kv: ProgressKv; count: () => number } {
  let n = 0;
  const kvProxy = new Proxy(kv, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        n++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { kv: kvProxy, count: () => n };
}

async function openDatabase(): Promise<{ db: SqlExecutor; kind: string; drop: () => Promise<void> }> {
  const admin = postgres(POSTGRES_URL, { max: 1, onnotice: () => undefined, connect_timeout: 2 });
  try {
    const name = `as_bench_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
    await admin.unsafe(`create database ${name}`);
    const url = new URL(POSTGRES_URL);
    url.pathname = `/${name}`;
    return {
      db: createPostgresExecutor(url.toString()),
      kind: "postgres",
      drop: async () => {
        await admin.unsafe(`drop database if exists ${name} with (force)`);
        await admin.end();
      },
    };
  } catch {
    await admin.end().catch(() => undefined);
    return { db: await createPgliteExecutor("memory://"), kind: "pglite", drop: async () => {} };
  }
}

async function main() {
  const server = await startFeedServer();
  const opened = await openDatabase();
  const counted = counting(opened.db);
  const store = await createSqlStore(counted.db);
  const services = await feedServices([server.hostPort], { store });
  const kvCounted = countingKv(services.kv);
  services.kv = kvCounted.kv;

  // Each feed's items (truth): a running serial per feed; guids and links per item.
  let serial = 0;
  const feeds = Array.from({ length: N }, (_, f) => ({
    path: `/feeds/${f}.xml`,
    items: Array.from({ length: ITEMS_PER_FEED }, () => newItem(f)),
    ever: new Set<number>(),
  }));
  function newItem(f: number): FeedItemSpec & { n: number } {
    const n = serial++;
    return {
      n,
      guid: `urn:${f}:${n}`,
      link: `${server.origin}/posts/${f}/${n}`,
      title: `Item ${n}`,
      pubDate: new Date(Date.UTC(2026, 0, 1) + n * 60_000).toUTCString(),
    };
  }
  for (const feed of feeds) {
    for (const item of feed.items) feed.ever.add(item.n);
    server.routes.set(feed.path, { body: () => rss("Bench", feed.items), etag: true });
  }
  const subscriptions: { id: string; feedUrl: string }[] = [];
  for (const feed of feeds) {
    const { subscription } = await store.createSubscription({
      url: `${server.origin}${feed.path}`,
      feedUrl: `${server.origin}${feed.path}`,
      kind: "feed",
      format: "rss",
      title: "",
      siteUrl: null,
      lang: null,
      autoSummarize: true,
      backfill: 0,
    });
    subscriptions.push({ id: subscription.id, feedUrl: subscription.feedUrl });
  }

  const round = async () => {
    const before = { db: counted.count(), kv: kvCounted.count(), http: server.requests.length };
    const jobsBefore = services.dispatched.length;
    const started = performance.now();
    const reports = await pollMany(subscriptions, services, { concurrency: CONCURRENCY, perHost: CONCURRENCY });
    const wallMs = performance.now() - started;
    const statuses = server.requests.slice(before.http).map((r) => r.status);
    return {
      wallMs: Math.round(wallMs),
      perPollMs: Math.round((wallMs / N) * 100) / 100,
      dbStatements: counted.count() - before.db,
      dbStatementsPerPoll: Math.round(((counted.count() - before.db) / N) * 100) / 100,
      kvCommands: kvCounted.count() - before.kv,
      httpRequests: statuses.length,
      notModified: statuses.filter((s) => s === 304).length,
      found: reports.reduce((n, r) => n + r.found, 0),
      added: reports.reduce((n, r) => n + r.added, 0),
      jobs: services.dispatched.length - jobsBefore,
      errors: reports.filter((r) => r.outcome === "error").length,
    };
  };

  const first = await round();
  const all304 = await round();
  const changed = Math.round(N / 10);
  for (const feed of feeds.slice(0, changed)) {
    const item = newItem(feeds.indexOf(feed));
    feed.items = [item, ...feed.items];
    feed.ever.add(item.n);
  }
  const tenPercent = await round();

  // Five rounds of churn: every feed reorders, 3 items get new guids (same links), the oldest 2 drop, 2 are new.
  const churn = [];
  let addedTotal = tenPercent.added;
  for (let r = 0; r < 5; r++) {
    for (const [f, feed] of feeds.entries()) {
      const fresh = [newItem(f), newItem(f)];
      for (const item of fresh) feed.ever.add(item.n);
      const kept = feed.items
        .slice(0, -2)
        .map((item, i) => (i % 6 === r % 6 ? { ...item, guid: `${item.guid}:v${r}` } : item));
      const shuffled = [...fresh, ...kept].sort((a, b) => ((a.n * 7919 + r) % 13) - ((b.n * 7919 + r) % 13));
      feed.items = shuffled;
    }
    const result = await round();
    addedTotal += result.added;
    churn.push({ round: r + 1, found: result.found, added: result.added, expectedNew: 2 * N, jobs: result.jobs });
  }
  const truth = feeds.reduce((n, feed) => n + feed.ever.size, 0);
  const stored = (await Promise.all(subscriptions.map((s) => store.listSubscriptionItems(s.id, 500)))).flat();
  const distinctStored = new Set(stored.map((i) => i.title)).size;

  process.stdout.write(
    `${JSON.stringify(
      {
        subscriptions: N,
        store: opened.kind,
        concurrency: CONCURRENCY,
        itemsPerFeed: ITEMS_PER_FEED,
        firstRound: first,
        all304,
        tenPercentChanged: { changedFeeds: changed, ...tenPercent },
        churn,
        items: {
          truth,
          stored: stored.length,
          duplicates: stored.length - distinctStored,
          missed: truth - distinctStored,
          addedAfterFirstRound: addedTotal,
        },
      },
      null,
      2,
    )}\n`,
  );
  await store.close();
  await opened.drop();
  await server.close();
}

await main();
