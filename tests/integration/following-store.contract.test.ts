import { randomUUID } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import type { NewSubscription, PolledItem, PollLimits } from "@/lib/store/following";
import { migrate } from "@/lib/store/migrate";
import { createPgliteExecutor, createPostgresExecutor, type SqlExecutor } from "@/lib/store/sql";
import { createSqlStore } from "@/lib/store/sql-store";
import type { Store } from "@/lib/store/store";
import { createSupabaseStore } from "@/lib/store/supabase-store";
import { type RecordedRequest, startPostgrestFake } from "../helpers/postgrest-fake";
import { POSTGRES_URL, serviceAvailable } from "../helpers/services";

/**
 * The following part of the Store port (subscriptions, seen items, webhooks) on every adapter: PGlite, PostgreSQL and
 * supabase-js through the loopback PostgREST stand-in; the supabase adapter's error mapping on recorded PostgREST
 * error bodies (tests/fixtures/postgrest/errors).
 */

const postgresUp = await serviceAvailable("postgres");

const LIMITS: PollLimits = { maxJobs: 20, intervalSeconds: 900, maxBackoffSeconds: 86_400, maxFailures: 10 };

const newSubscription = (overrides: Partial<NewSubscription> = {}): NewSubscription => ({
  url: `https://blog.example/${randomUUID()}`,
  feedUrl: `https://blog.example/${randomUUID()}/feed.xml`,
  kind: "feed",
  format: "rss",
  title: "A blog",
  siteUrl: "https://blog.example/",
  lang: null,
  autoSummarize: true,
  backfill: 1,
  ...overrides,
});

const item = (n: number, keys = [`g:${n}`, `l:${n}`]): PolledItem => ({
  keys,
  title: `Item ${n}`,
  url: `https://blog.example/posts/${n}`,
  publishedAt: new Date(Date.UTC(2026, 0, n)).toISOString(),
});

const ok = (items: PolledItem[]) => ({ outcome: "ok" as const, etag: '"v1"', lastModified: null, items });

interface Opened {
  store: Store;
  cleanup: () => Promise<void>;
}

function contract(name: string, open: () => Promise<Opened>) {
  describe(`Following store contract: ${name}`, () => {
    let opened: Opened;
    let store: Store;
    beforeAll(async () => {
      opened = await open();
      store = opened.store;
    });
    afterAll(async () => {
      await opened?.store.close();
      await opened?.cleanup();
    });

    it("creates a subscription once per feed URL; reads, lists, patches and deletes it", async () => {
      const input = newSubscription({ lang: "fr", backfill: 3 });
      const { subscription, created } = await store.createSubscription(input);
      expect(created).toBe(true);
      expect(subscription).toMatchObject({
        feedUrl: input.feedUrl,
        kind: "feed",
        title: "A blog",
        lang: "fr",
        backfill: 3,
        autoSummarize: true,
        paused: false,
        failures: 0,
        itemsSeen: 0,
        lastPolledAt: null,
        lastError: null,
        lastPoll: null,
      });
      const again = await store.createSubscription({ ...input, url: "https://elsewhere.example/" });
      expect(again).toMatchObject({ created: false, subscription: { id: subscription.id, url: input.url } });
      expect(await store.getSubscription(subscription.id)).toEqual(subscription);
      expect((await store.listSubscriptions()).map((s) => s.id)).toContain(subscription.id);

      const paused = await store.updateSubscription(subscription.id, { paused: true, autoSummarize: false });
      expect(paused).toMatchObject({ paused: true, autoSummarize: false, lang: "fr" });
      const relang = await store.updateSubscription(subscription.id, { lang: null });
      expect(relang).toMatchObject({ paused: true, lang: null });

      expect(await store.deleteSubscription(subscription.id)).toBe(true);
      expect(await store.deleteSubscription(subscription.id)).toBe(false);
      expect(await store.getSubscription(subscription.id)).toBeNull();
      expect(await store.updateSubscription(subscription.id, { paused: false })).toBeNull();
      expect(await store.getSubscription("not-a-uuid")).toBeNull();
    });

    it("takes `backfill` items on the first poll and skips the rest; later only new items, by any key", async () => {
      const { subscription } = await store.createSubscription(newSubscription({ backfill: 2 }));
      const first = await store.recordPoll(subscription.id, ok([item(5), item(4), item(3), item(2), item(1)]), LIMITS);
      expect(first).toMatchObject({ found: 5, added: 5, pausedNow: false });
      expect(first?.queue.map((q) => q.title)).toEqual(["Item 5", "Item 4"]);
      expect(first?.subscription).toMatchObject({ itemsSeen: 5, etag: '"v1"', failures: 0 });
      expect(first?.subscription.lastPoll).toMatchObject({ outcome: "ok", found: 5, added: 5, queued: 2 });

      // Reordered, item 3's guid changed (its link is the same), item 4 edited, item 6 new.
      const second = await store.recordPoll(
        subscription.id,
        ok([item(1), { ...item(4), title: "Item 4 (edited)" }, item(6), item(3, ["g:3-new", "l:3"]), item(2)]),
        LIMITS,
      );
      expect(second).toMatchObject({ found: 5, added: 1 });
      expect(second?.queue.map((q) => q.title)).toEqual(["Item 6"]);
      // The changed guid was learnt: the item is known by it even after its link changes too.
      const third = await store.recordPoll(subscription.id, ok([item(3, ["g:3-new", "l:3-moved"])]), LIMITS);
      expect(third).toMatchObject({ found: 1, added: 0, queue: [] });

      const items = await store.listSubscriptionItems(subscription.id);
      expect(items.map((i) => [i.title, i.status])).toEqual([
        ["Item 6", "queued"],
        ["Item 1", "skipped"],
        ["Item 2", "skipped"],
        ["Item 3", "skipped"],
        ["Item 4", "queued"],
        ["Item 5", "queued"],
      ]);
      expect((await store.getSubscription(subscription.id))?.itemsSeen).toBe(6);
    });

    it("queues at most maxJobs per poll; the rest wait for the next poll, even one answered 304", async () => {
      const { subscription } = await store.createSubscription(newSubscription({ backfill: 0 }));
      await store.recordPoll(subscription.id, ok([item(1)]), LIMITS);
      const many = Array.from({ length: 25 }, (_, i) => item(100 + i));
      const poll = await store.recordPoll(subscription.id, ok(many), LIMITS);
      expect(poll).toMatchObject({ added: 25 });
      expect(poll?.queue).toHaveLength(20);
      const next = await store.recordPoll(subscription.id, { outcome: "not_modified" }, LIMITS);
      expect(next?.queue.map((q) => q.title)).toEqual(many.slice(20).map((i) => i.title));
      expect(next?.subscription.lastPoll).toMatchObject({ outcome: "not_modified", found: 0, added: 0, queued: 5 });
      expect(next?.subscription.etag).toBe('"v1"');
    });

    it("skips new items of a subscription that does not summarize on its own", async () => {
      const { subscription } = await store.createSubscription(newSubscription({ autoSummarize: false, backfill: 5 }));
      const poll = await store.recordPoll(subscription.id, ok([item(1), item(2)]), LIMITS);
      expect(poll).toMatchObject({ added: 2, queue: [] });
      const [one] = await store.listSubscriptionItems(subscription.id, 1);
      expect(one?.status).toBe("skipped");
      const queued = await store.setSubscriptionItem(one?.id ?? "", { status: "queued", jobId: "job_x" });
      expect(queued).toMatchObject({ status: "queued", jobId: "job_x" });
    });

    it("never adds an item twice when two polls of one feed record at once", async () => {
      const { subscription } = await store.createSubscription(newSubscription({ backfill: 50 }));
      const items = Array.from({ length: 30 }, (_, i) => item(i + 1));
      const results = await Promise.all(
        Array.from({ length: 4 }, () => store.recordPoll(subscription.id, ok(items), { ...LIMITS, maxJobs: 50 })),
      );
      expect(results.reduce((sum, r) => sum + (r?.added ?? 0), 0)).toBe(30);
      expect(results.reduce((sum, r) => sum + (r?.queue.length ?? 0), 0)).toBe(30);
      expect(await store.listSubscriptionItems(subscription.id, 100)).toHaveLength(30);
    });

    it("backs off on errors (doubling, capped), pauses after maxFailures in a row and says why; success resets", async () => {
      const { subscription } = await store.createSubscription(newSubscription());
      const error = {
        outcome: "error" as const,
        error: { reason: "http_error", message: "The site answered HTTP 500" },
      };
      const delays: number[] = [];
      let last = null;
      for (let i = 0; i < 10; i++) {
        const before = Date.now();
        last = await store.recordPoll(subscription.id, error, LIMITS);
        delays.push(Math.round((Date.parse(last?.subscription.nextPollAt ?? "") - before) / 1000));
        if (i < 9) expect(last?.pausedNow).toBe(false);
      }
      // 900 s × 2^n: 1800, 3600, …, capped at a day.
      expect(delays.slice(0, 5).map((d) => Math.round(d / 100) * 100)).toEqual([1800, 3600, 7200, 14400, 28800]);
      expect(delays.slice(6)).toEqual(delays.slice(6).map(() => 86_400));
      expect(last?.pausedNow).toBe(true);
      expect(last?.subscription).toMatchObject({
        paused: true,
        failures: 10,
        lastError: { reason: "http_error", message: "The site answered HTTP 500" },
      });
      expect(last?.subscription.pausedReason).toMatch(/10 failed polls in a row.*HTTP 500/);
      expect((await store.recordPoll(subscription.id, error, LIMITS))?.pausedNow).toBe(false);

      const resumed = await store.updateSubscription(subscription.id, { paused: false });
      expect(resumed).toMatchObject({ paused: false, pausedReason: null, failures: 0 });
      await store.recordPoll(subscription.id, error, LIMITS);
      const healed = await store.recordPoll(subscription.id, ok([item(1)]), LIMITS);
      expect(healed?.subscription).toMatchObject({ failures: 0, lastError: null });
    });

    it("claims due subscriptions once, never paused ones", async () => {
      const due = (await store.createSubscription(newSubscription())).subscription;
      const paused = (await store.createSubscription(newSubscription())).subscription;
      await store.updateSubscription(paused.id, { paused: true });
      const claimed = (await store.claimDueSubscriptions(1000, 300)).map((c) => c.id);
      expect(claimed).toContain(due.id);
      expect(claimed).not.toContain(paused.id);
      expect((await store.claimDueSubscriptions(1000, 300)).map((c) => c.id)).not.toContain(due.id);
    });

    it("keeps webhooks with their secret, records deliveries once and each attempt, newest first", async () => {
      const endpoint = await store.createWebhook({
        url: "https://hooks.example/in",
        events: ["article.saved", "subscription.paused"],
        secret: "whsec_c2VjcmV0",
      });
      expect(endpoint).toMatchObject({ events: ["article.saved", "subscription.paused"], lastStatus: null });
      expect((await store.listWebhooks()).find((w) => w.id === endpoint.id)?.secret).toBe("whsec_c2VjcmV0");
      const id = `msg_${randomUUID()}`;
      const recorded = await store.addWebhookDeliveries([
        { id, endpointId: endpoint.id, event: "article.saved", payload: { articleId: "a" } },
        { id: `msg_${randomUUID()}`, endpointId: randomUUID(), event: "article.saved", payload: {} },
      ]);
      expect(recorded.map((d) => d.id)).toEqual([id]);
      expect(
        await store.addWebhookDeliveries([{ id, endpointId: endpoint.id, event: "job.failed", payload: {} }]),
      ).toEqual([]);
      expect(await store.dueWebhookDeliveries(1000)).toContain(id);
      expect(await store.getWebhookDelivery(id)).toMatchObject({
        id,
        event: "article.saved",
        payload: { articleId: "a" },
        url: "https://hooks.example/in",
        secret: "whsec_c2VjcmV0",
        status: "pending",
        attempts: 0,
      });
      await store.recordWebhookAttempt(id, {
        status: "pending",
        responseStatus: 503,
        error: "HTTP 503",
        retryInSeconds: 60,
      });
      expect(await store.dueWebhookDeliveries(1000)).not.toContain(id);
      const done = await store.recordWebhookAttempt(id, { status: "delivered", responseStatus: 204, error: null });
      expect(done).toMatchObject({ status: "delivered", attempts: 2, responseStatus: 204 });
      expect((await store.listWebhooks()).find((w) => w.id === endpoint.id)).toMatchObject({ lastStatus: 204 });
      expect((await store.listWebhookDeliveries(endpoint.id)).map((d) => d.id)).toEqual([id]);
      expect(await store.deleteWebhook(endpoint.id)).toBe(true);
      expect(await store.getWebhookDelivery(id)).toBeNull();
      expect(await store.recordWebhookAttempt(id, { status: "failed", responseStatus: null, error: "x" })).toBeNull();
    });
  });
}

contract("PGlite", async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "as-following-"));
  const db = await createPgliteExecutor(dir);
  return { store: await createSqlStore(db), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});

describe.skipIf(!postgresUp)("with PostgreSQL", () => {
  const admin = postgres(POSTGRES_URL, { max: 1, onnotice: () => undefined });
  const databases: string[] = [];
  afterAll(async () => {
    for (const name of databases) await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  });
  async function freshDatabase(): Promise<SqlExecutor> {
    const name = `as_test_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
    databases.push(name);
    await admin.unsafe(`create database ${name}`);
    const url = new URL(POSTGRES_URL);
    url.pathname = `/${name}`;
    return createPostgresExecutor(url.toString());
  }

  contract("PostgreSQL (fresh database)", async () => ({
    store: await createSqlStore(await freshDatabase()),
    cleanup: async () => {},
  }));

  let recorded: RecordedRequest[] = [];
  contract("supabase-js through PostgREST on PostgreSQL (fresh database)", async () => {
    const db = await freshDatabase();
    await migrate(db);
    const fake = await startPostgrestFake(db);
    recorded = fake.recorded;
    return {
      store: createSupabaseStore(fake.url, "service-role-key"),
      cleanup: async () => {
        await fake.close();
        await db.close();
      },
    };
  });

  it("the supabase adapter called only the migrations' functions, as RPC", () => {
    const routes = new Set(recorded.map((r) => `${r.method} ${r.path.replace(/^\/rest\/v1\//, "")}`));
    expect([...routes].filter((r) => !r.startsWith("POST rpc/"))).toEqual([]);
    expect(routes.size).toBeGreaterThanOrEqual(15);
  });
});

describe("supabase adapter (following): error mapping on recorded PostgREST error bodies", () => {
  const FIXTURES = path.join(import.meta.dirname, "../fixtures/postgrest/errors");
  const fixtures = readdirSync(FIXTURES)
    .filter((f) => f.endsWith(".json"))
    .map((f) => JSON.parse(readFileSync(path.join(FIXTURES, f), "utf8")) as { status: number; body: unknown });
  let server: http.Server;
  let store: Store;
  let answer = fixtures[0];
  beforeAll(async () => {
    server = http.createServer(async (req, res) => {
      for await (const _ of req) {
        // Drain the body before answering.
      }
      const body = answer?.body;
      res
        .writeHead(answer?.status ?? 500, { "Content-Type": "application/json" })
        .end(typeof body === "string" ? body : JSON.stringify(body));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    store = createSupabaseStore(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, "service-role-key");
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("turns every answer into storage_failed with PostgREST's error kept", async () => {
    const id = randomUUID();
    const operations: [string, () => Promise<unknown>][] = [
      ["createSubscription", () => store.createSubscription(newSubscription())],
      ["listSubscriptions", () => store.listSubscriptions()],
      ["getSubscription", () => store.getSubscription(id)],
      ["recordPoll", () => store.recordPoll(id, { outcome: "not_modified" }, LIMITS)],
      ["claimDueSubscriptions", () => store.claimDueSubscriptions(10, 60)],
      ["createWebhook", () => store.createWebhook({ url: "https://h.example/", events: ["job.failed"], secret: "s" })],
      ["getWebhookDelivery", () => store.getWebhookDelivery("msg_1")],
    ];
    expect(fixtures.length).toBeGreaterThanOrEqual(5);
    for (const fixture of fixtures) {
      answer = fixture;
      for (const [name, call] of operations) {
        const error = await call().then(
          () => new Error("expected a rejection"),
          (e: unknown) => e,
        );
        expect(error, `${name} on ${fixture.status}`).toBeInstanceOf(AppError);
        expect(error, name).toMatchObject({ reason: "storage_failed" });
        expect((error as AppError).cause, name).toBeDefined();
      }
    }
  });
});
