import { createHmac } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPML_MAX_OUTLINES, parseOpml, toOpml } from "@/lib/feeds/opml";
import { checkFeed, pollSubscription, queueItem } from "@/lib/feeds/poll";
import { importOpml } from "@/lib/feeds/service";
import type { NewSubscription } from "@/lib/store/following";
import { attemptDelivery, WEBHOOK_MAX_ATTEMPTS } from "@/lib/webhooks/deliver";
import { emitWebhook } from "@/lib/webhooks/emit";
import { type FeedItemSpec, type FeedServer, rss, startFeedServer } from "../helpers/feed-server";
import { type FeedTestServices, feedServices } from "../helpers/feed-services";

let server: FeedServer;
let services: FeedTestServices;

beforeAll(async () => {
  server = await startFeedServer();
  services = await feedServices([server.hostPort]);
});
afterAll(async () => {
  await services?.store.close();
  await server?.close();
});

let counter = 0;
async function follow(path: string, overrides: Partial<NewSubscription> = {}) {
  const { subscription } = await services.store.createSubscription({
    url: `${server.origin}${path}`,
    feedUrl: `${server.origin}${path}?n=${counter++}`,
    kind: "feed",
    format: "rss",
    title: "",
    siteUrl: null,
    lang: null,
    autoSummarize: true,
    backfill: 50,
    ...overrides,
  });
  return subscription;
}

const post = (n: number, extra: Partial<FeedItemSpec> = {}): FeedItemSpec => ({
  guid: `urn:post:${n}`,
  link: `${server.origin}/posts/${n}`,
  title: `Post ${n}`,
  pubDate: new Date(Date.UTC(2026, 10, n)).toUTCString(),
  ...extra,
});

describe("polling a feed", () => {
  it("adds each item once across five rounds of reordering, edits, changed guids and a guid-less feed", async () => {
    const rounds: FeedItemSpec[][] = [
      [post(1), post(2), post(3)],
      // Reordered, post 2 edited, post 4 new.
      [post(4), post(2, { title: "Post 2 (corrected)", description: "new text" }), post(1), post(3)],
      // Post 1's guid changed (its link did not), post 5 new, post 3 dropped out of the feed.
      [post(5), post(1, { guid: "tag:example.com,2026:1" }), post(4), post(2)],
      // The publisher moved to another CMS: no guids at all, links unchanged; post 6 new.
      [post(6), post(5), post(4), post(2), post(1)].map((p) => ({ ...p, guid: undefined })),
      // Trimmed to the newest two, post 7 new.
      [post(6, { guid: undefined }), post(7, { guid: undefined })],
    ];
    const subscription = await follow("/rounds.xml");
    let feed = rounds[0] ?? [];
    server.routes.set("/rounds.xml", { body: () => rss("Rounds", feed), etag: true });
    const added: number[] = [];
    for (const round of rounds) {
      feed = round;
      const report = await pollSubscription(subscription.id, services);
      added.push(report.added);
    }
    expect(added).toEqual([3, 1, 1, 1, 1]);
    const items = await services.store.listSubscriptionItems(subscription.id);
    expect(items.map((i) => i.title).sort()).toEqual(
      ["Post 1", "Post 2", "Post 3", "Post 4", "Post 5", "Post 6", "Post 7"].sort(),
    );
    const urls = services.dispatched.map((d) => d.url).filter((u) => u.includes("/posts/"));
    expect(new Set(urls).size).toBe(urls.length);
    expect(items.every((i) => i.status === "queued" && i.jobId)).toBe(true);
  });

  it("keys a podcast feed with neither guids nor links by its enclosures; its jobs summarize the audio", async () => {
    const episode = (n: number, title = `Episode ${n}`): FeedItemSpec => ({
      title,
      enclosure: `${server.origin}/audio/${n}.mp3?ver=1`,
    });
    let feed = [episode(2), episode(1)];
    server.routes.set("/pod.xml", { body: () => rss("Pod", feed) });
    const subscription = await follow("/pod.xml");
    server.routes.set(new URL(subscription.feedUrl).pathname, { body: () => rss("Pod", feed) });
    expect((await pollSubscription(subscription.id, services)).added).toBe(2);
    feed = [episode(3), episode(1, "Episode 1 (remastered)"), episode(2)];
    const report = await pollSubscription(subscription.id, services);
    expect(report.added).toBe(1);
    const jobId = report.jobs[0];
    expect(services.dispatched.find((d) => d.jobId === jobId)?.url).toBe(`${server.origin}/audio/3.mp3?ver=1`);
  });

  it("sends If-None-Match and takes a 304 as 'not modified': no parse, nothing added", async () => {
    server.routes.set("/etag.xml", { body: rss("E", [post(1)]), etag: true });
    const subscription = await follow("/etag.xml");
    server.routes.set(new URL(subscription.feedUrl).pathname, { body: rss("E", [post(1)]), etag: true });
    await pollSubscription(subscription.id, services);
    const second = await pollSubscription(subscription.id, services);
    expect(second).toMatchObject({ outcome: "not_modified", found: 0, added: 0 });
    const seen = server.requests.filter((r) => r.path === "/etag.xml");
    expect(seen.map((r) => r.status)).toEqual([200, 304]);
    expect(seen[1]?.ifNoneMatch).toMatch(/^"[0-9a-f]{40}"$/);
    expect((await services.store.getSubscription(subscription.id))?.lastPoll).toMatchObject({
      outcome: "not_modified",
    });
  });

  it("queues at most 20 jobs per poll; the next poll queues the rest", async () => {
    const many = Array.from({ length: 30 }, (_, i) => post(100 + i));
    server.routes.set("/many.xml", { body: rss("Many", many) });
    const subscription = await follow("/many.xml");
    const first = await pollSubscription(subscription.id, services);
    expect(first).toMatchObject({ found: 30, added: 30 });
    expect(first.jobs).toHaveLength(20);
    const second = await pollSubscription(subscription.id, services);
    expect(second).toMatchObject({ added: 0 });
    expect(second.jobs).toHaveLength(10);
  });

  it("takes only `backfill` items on the first poll", async () => {
    server.routes.set("/backfill.xml", { body: rss("B", [post(1), post(2), post(3), post(4)]) });
    const subscription = await follow("/backfill.xml", { backfill: 1 });
    const report = await pollSubscription(subscription.id, services);
    expect(report).toMatchObject({ found: 4, added: 4 });
    expect(report.jobs).toHaveLength(1);
    const items = await services.store.listSubscriptionItems(subscription.id);
    expect(items.filter((i) => i.status === "skipped")).toHaveLength(3);
    expect(items.find((i) => i.status === "queued")?.title).toBe("Post 4");
  });

  it("fails an item linking to a private address alone; the others get their jobs", async () => {
    server.routes.set("/mixed.xml", {
      body: rss("M", [post(1), { title: "Sneaky", guid: "s", link: "http://10.0.0.7/admin" }]),
    });
    const subscription = await follow("/mixed.xml");
    const report = await pollSubscription(subscription.id, services);
    expect(report.jobs).toHaveLength(1);
    const sneaky = (await services.store.listSubscriptionItems(subscription.id)).find((i) => i.title === "Sneaky");
    expect(sneaky).toMatchObject({ status: "failed", jobId: null });
    expect(sneaky?.error).toMatch(/private/);
    expect(await queueItem({ id: sneaky?.id ?? "", url: null }, null, services)).toBeNull();
  });
});

describe("hostile feeds: each a named failure, bounded", () => {
  it("refuses a feed of 100,000 items by count, before parsing it", async () => {
    const items = Array.from({ length: 100_000 }, (_, i) => `<item><guid>${i}</guid></item>`).join("");
    server.routes.set("/100k.xml", {
      body: `<?xml version="1.0"?><rss><channel><title>T</title>${items}</channel></rss>`,
    });
    const outcome = await checkFeed(
      { feedUrl: `${server.origin}/100k.xml`, etag: null, lastModified: null },
      services.fetch,
    );
    expect(outcome).toEqual({
      outcome: "error",
      error: { reason: "too_large", message: "The feed has more than 5,000 items" },
    });
  });

  it("stops reading a 50 MB feed at the cap", async () => {
    server.routes.set("/50mb.xml", { streamBytes: 50 * 1024 * 1024 });
    const outcome = await checkFeed(
      { feedUrl: `${server.origin}/50mb.xml`, etag: null, lastModified: null },
      services.fetch,
    );
    expect(outcome).toMatchObject({ outcome: "error", error: { reason: "too_large" } });
  });

  it("refuses a redirect to a private address without connecting to it", async () => {
    server.routes.set("/moved.xml", { status: 302, headers: { Location: "http://10.20.30.40/feed.xml" } });
    const outcome = await checkFeed(
      { feedUrl: `${server.origin}/moved.xml`, etag: null, lastModified: null },
      services.fetch,
    );
    expect(outcome).toEqual({
      outcome: "error",
      error: { reason: "blocked_url", message: "10.20.30.40 is a private address" },
    });
  });

  it("refuses an entity expansion bomb and a page that is not a feed", async () => {
    server.routes.set("/bomb.xml", {
      body: '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><rss><channel><title>&b;</title></channel></rss>',
    });
    server.routes.set("/page.html", { type: "text/html", body: "<html><body>hello</body></html>" });
    const check = (path: string) =>
      checkFeed({ feedUrl: `${server.origin}${path}`, etag: null, lastModified: null }, services.fetch);
    expect(await check("/bomb.xml")).toMatchObject({ outcome: "error", error: { reason: "too_large" } });
    expect(await check("/page.html")).toMatchObject({ outcome: "error", error: { reason: "unsupported_content" } });
  });

  it("backs off, then pauses after 10 failures in a row, says why, and tells the webhooks", async () => {
    server.routes.set("/down.xml", { status: 500 });
    const subscription = await follow("/down.xml");
    server.routes.set(new URL(subscription.feedUrl).pathname, { status: 500 });
    const hooks = await startReceiver();
    const endpoint = await services.store.createWebhook({
      url: `${hooks.origin}/paused`,
      events: ["subscription.paused"],
      secret: "whsec_dGVzdC1zZWNyZXQtMTIzNDU2Nzg=",
    });
    const local = await feedServices([server.hostPort, hooks.hostPort], { store: services.store });
    const reports = [];
    for (let i = 0; i < 10; i++) reports.push(await pollSubscription(subscription.id, local));
    expect(reports.map((r) => r.pausedNow)).toEqual([...Array(9).fill(false), true]);
    const paused = await services.store.getSubscription(subscription.id);
    expect(paused).toMatchObject({ paused: true, failures: 10, lastError: { reason: "http_error" } });
    expect(paused?.pausedReason).toMatch(/10 failed polls in a row; the last: The site answered HTTP 500/);
    expect(await pollSubscription(subscription.id, local)).toMatchObject({ outcome: "skipped" });
    const [delivery] = await hooks.received(1);
    expect(JSON.parse(delivery?.body ?? "{}")).toMatchObject({
      type: "subscription.paused",
      data: { subscriptionId: subscription.id },
    });
    await services.store.deleteWebhook(endpoint.id);
    await hooks.close();
  });
});

describe("OPML", () => {
  it("refuses an OPML of a million outlines by count (one scan), and one with entities", () => {
    const huge = `<opml><body>${'<outline xmlUrl="https://a.example/f"/>'.repeat(1_000_000)}</body></opml>`;
    expect(() => parseOpml(huge)).toThrow(`more than ${OPML_MAX_OUTLINES.toLocaleString("en")} outlines`);
    expect(() => parseOpml('<!DOCTYPE o [<!ENTITY x "y">]><opml><body/></opml>')).toThrow(/entit/);
    expect(() => parseOpml("<html/>")).toThrow(/not an OPML/);
  });

  it("imports nested outlines (each URL checked), skips the ones it has, and exports what a reader imports", async () => {
    const opml = `<?xml version="1.0"?><opml version="2.0"><body>
      <outline text="Tech"><outline text="A &amp; B" xmlUrl="https://a.example/feed" htmlUrl="https://a.example/"/>
        <outline text="Deep"><outline title="C" xmlUrl="https://c.example/rss"/></outline></outline>
      <outline text="Private" xmlUrl="http://192.168.1.1/feed"/>
      <outline text="Again" xmlUrl="https://a.example/feed"/>
      <outline text="Folder only"/></body></opml>`;
    const result = await importOpml(opml, services);
    expect(result).toMatchObject({ added: 2, existing: 1 });
    expect(result.refused).toEqual([
      { url: "http://192.168.1.1/feed", reason: "blocked_url", message: "192.168.1.1 is a private address" },
    ]);
    const all = await services.store.listSubscriptions();
    const exported = parseOpml(toOpml(all, new Date()));
    expect(exported.find((f) => f.xmlUrl === "https://a.example/feed")).toEqual({
      xmlUrl: "https://a.example/feed",
      title: "A & B",
      htmlUrl: "https://a.example/",
    });
    expect(exported.map((f) => f.xmlUrl)).toContain("https://c.example/rss");
    expect(all.find((s) => s.feedUrl === "https://c.example/rss")).toMatchObject({ backfill: 0, kind: "feed" });
  });
});

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

async function startReceiver(status = () => 204) {
  const got: Received[] = [];
  const waiters: (() => void)[] = [];
  const receiver = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    got.push({ path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
    for (const w of waiters.splice(0)) w();
    res.writeHead(status()).end();
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const port = (receiver.address() as AddressInfo).port;
  return {
    origin: `http://127.0.0.1:${port}`,
    hostPort: `127.0.0.1:${port}`,
    got,
    async received(n: number): Promise<Received[]> {
      while (got.length < n) await new Promise<void>((resolve) => waiters.push(resolve));
      return got;
    },
    close: () =>
      new Promise<void>((resolve) => {
        receiver.closeAllConnections();
        receiver.close(() => resolve());
      }),
  };
}

/** Standard Webhooks verification written from the specification, with node:crypto only. */
function verifyIndependently(secret: string, headers: http.IncomingHttpHeaders, body: string): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const signed = `${headers["webhook-id"]}.${headers["webhook-timestamp"]}.${body}`;
  const expected = createHmac("sha256", key).update(signed).digest("base64");
  return String(headers["webhook-signature"])
    .split(" ")
    .some((part) => part === `v1,${expected}`);
}

describe("webhooks", () => {
  it("signs each delivery as Standard Webhooks says (checked by an independent implementation)", async () => {
    const hooks = await startReceiver();
    const local = await feedServices([hooks.hostPort], { store: services.store });
    const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const endpoint = await local.store.createWebhook({ url: `${hooks.origin}/in`, events: ["article.saved"], secret });
    const before = Math.floor(Date.now() / 1000);
    const [id] = await emitWebhook("article.saved", { articleId: "a1", title: "Tëst ✓" }, local);
    const [request] = await hooks.received(1);
    expect(request?.headers["webhook-id"]).toBe(id);
    expect(request?.headers["content-type"]).toBe("application/json");
    const timestamp = Number(request?.headers["webhook-timestamp"]);
    expect(timestamp).toBeGreaterThanOrEqual(before);
    expect(timestamp).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    expect(verifyIndependently(secret, request?.headers ?? {}, request?.body ?? "")).toBe(true);
    // The check does fail: another body, another id, another secret.
    expect(verifyIndependently(secret, request?.headers ?? {}, `${request?.body} `)).toBe(false);
    expect(verifyIndependently(secret, { ...request?.headers, "webhook-id": "msg_other" }, request?.body ?? "")).toBe(
      false,
    );
    expect(verifyIndependently("whsec_b3RoZXI=", request?.headers ?? {}, request?.body ?? "")).toBe(false);
    expect(JSON.parse(request?.body ?? "")).toMatchObject({
      type: "article.saved",
      data: { articleId: "a1", title: "Tëst ✓" },
    });
    await expect.poll(async () => (await local.store.getWebhookDelivery(id ?? ""))?.status).toBe("delivered");
    expect((await local.store.listWebhooks()).find((w) => w.id === endpoint.id)?.lastStatus).toBe(204);
    await local.store.deleteWebhook(endpoint.id);
    await hooks.close();
  });

  it("retries a failing receiver with backoff and gives up after the last attempt, logged per endpoint", async () => {
    const hooks = await startReceiver(() => 503);
    const local = await feedServices([hooks.hostPort], { store: services.store });
    const endpoint = await local.store.createWebhook({
      url: `${hooks.origin}/down`,
      events: ["job.failed"],
      secret: "whsec_c2VjcmV0",
    });
    const [delivery] = await local.store.addWebhookDeliveries([
      { id: "msg_retry_test", endpointId: endpoint.id, event: "job.failed", payload: { jobId: "j" } },
    ]);
    const id = delivery?.id ?? "";
    const results = [];
    for (let i = 0; i < WEBHOOK_MAX_ATTEMPTS; i++) results.push(await attemptDelivery(id, local));
    expect(results.map((r) => r.retryInSeconds ?? null)).toEqual([5, 30, 120, 600, 1800, 3600, 10800, null]);
    expect(results.at(-1)).toMatchObject({ done: true, delivered: false, status: 503 });
    expect(await local.store.getWebhookDelivery(id)).toMatchObject({
      status: "failed",
      attempts: 8,
      responseStatus: 503,
    });
    expect(hooks.got).toHaveLength(8);
    // The same webhook-id on every attempt, so the receiver can drop repeats.
    expect(new Set(hooks.got.map((g) => g.headers["webhook-id"]))).toEqual(new Set([id]));
    await local.store.deleteWebhook(endpoint.id);
    await hooks.close();
  });

  it("never sends to a private address: the delivery fails at once, by name", async () => {
    const endpoint = await services.store.createWebhook({
      url: "http://169.254.169.254/latest/meta-data",
      events: ["job.failed"],
      secret: "whsec_c2VjcmV0",
    });
    const [delivery] = await services.store.addWebhookDeliveries([
      { id: "msg_ssrf_test", endpointId: endpoint.id, event: "job.failed", payload: {} },
    ]);
    const id = delivery?.id ?? "";
    expect(await attemptDelivery(id, services)).toMatchObject({ done: true, delivered: false });
    expect((await services.store.getWebhookDelivery(id))?.error).toBe("169.254.169.254 is a linkLocal address");
    await services.store.deleteWebhook(endpoint.id);
  });
});
