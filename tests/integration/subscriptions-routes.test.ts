import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { POST as pollRoute } from "@/app/api/subscriptions/[id]/items/[itemId]/summarize/route";
import { POST as pollNowRoute } from "@/app/api/subscriptions/[id]/poll/route";
import { DELETE as deleteSub, GET as getSub, PATCH as patchSub } from "@/app/api/subscriptions/[id]/route";
import { GET as exportRoute } from "@/app/api/subscriptions/export/route";
import { POST as importRoute } from "@/app/api/subscriptions/import/route";
import { POST as createSub, GET as listSubs } from "@/app/api/subscriptions/route";
import { DELETE as deleteHook, GET as getHook } from "@/app/api/webhooks/[id]/route";
import { POST as testHook } from "@/app/api/webhooks/[id]/test/route";
import { POST as createHook, GET as listHooks } from "@/app/api/webhooks/route";
import { parseConfig } from "@/lib/env";
import { getServices, resetServicesForTesting } from "@/lib/services";
import { type FeedServer, rss, startFeedServer } from "../helpers/feed-server";

/** Work the routes hand to after(): collected here (there is no Next.js request scope in a test). */
const background: Promise<unknown>[] = [];
vi.mock("next/server", async (original) => ({
  ...(await original<typeof import("next/server")>()),
  after: (work: Promise<unknown>) => {
    background.push(work);
  },
}));

const TOKEN = "subscriptions-token-0123456789abcdef01";
let server: FeedServer;

beforeAll(async () => {
  server = await startFeedServer();
  resetServicesForTesting(
    parseConfig({
      PGLITE_DIR: "memory://",
      PIPELINE_RUNNER: "inline",
      ADMIN_TOKEN: TOKEN,
      FETCH_ALLOWLIST: server.hostPort,
      LOG_LEVEL: "error",
    }),
  );
  // Opening PGlite and migrating it is the slow part: here, not in the first test.
  await getServices();
}, 120_000);
afterAll(async () => {
  await Promise.allSettled(background);
  const services = await getServices();
  await services.store.close();
  await services.reader.close();
  resetServicesForTesting();
  await server.close();
});

type Handler<P> = (request: Request, context: { params: Promise<P> }) => Promise<Response>;
function call<P>(
  handler: Handler<P>,
  params: P,
  init: { method?: string; body?: unknown; text?: string; auth?: string | null } = {},
): Promise<Response> {
  const headers: Record<string, string> = {};
  if (init.auth !== null) headers.Authorization = `Bearer ${init.auth ?? TOKEN}`;
  if (init.body !== undefined) headers["Content-Type"] = "application/json";
  if (init.text !== undefined) headers["Content-Type"] = "text/x-opml";
  return handler(
    new Request("http://127.0.0.1/api/x", {
      method: init.method ?? "GET",
      headers,
      body: init.body !== undefined ? JSON.stringify(init.body) : init.text,
    }),
    { params: Promise.resolve(params) },
  );
}
const none = {};

describe("/api/subscriptions", () => {
  it("needs the admin", async () => {
    expect((await call(listSubs, none, { auth: null })).status).toBe(401);
    expect((await call(createSub, none, { method: "POST", body: { url: "x" }, auth: null })).status).toBe(401);
  });

  it("follows a page through the feed it names: 201 {id, feedUrl, title, kind}; the first poll takes the backfill", async () => {
    server.routes.set("/blog", {
      type: "text/html",
      body: `<html><head><link rel="alternate" type="application/rss+xml" href="/blog/feed"></head><body>x</body></html>`,
    });
    server.routes.set("/blog/feed", {
      body: rss("The Blog", [
        { guid: "2", title: "Second", link: `${server.origin}/posts/2` },
        { guid: "1", title: "First", link: `${server.origin}/posts/1` },
      ]),
    });
    const created = await call(createSub, none, {
      method: "POST",
      body: { url: `${server.origin}/blog`, backfill: 2, lang: "fr" },
    });
    expect(created.status).toBe(201);
    const body = (await created.json()) as { id: string; feedUrl: string; title: string; kind: string };
    expect(body).toMatchObject({ feedUrl: `${server.origin}/blog/feed`, title: "The Blog", kind: "page", lang: "fr" });
    await Promise.allSettled(background);

    const again = await call(createSub, none, { method: "POST", body: { url: `${server.origin}/blog/feed` } });
    expect(again.status).toBe(200);
    expect(((await again.json()) as { id: string }).id).toBe(body.id);

    const list = (await (await call(listSubs, none)).json()) as { subscriptions: Record<string, unknown>[] };
    expect(list.subscriptions.find((s) => s.id === body.id)).toMatchObject({
      itemsSeen: 2,
      lastError: null,
      lastPoll: { outcome: "ok", found: 2, added: 2, queued: 2 },
      lastPolledAt: expect.any(String),
      nextPollAt: expect.any(String),
    });
    const one = (await (await call(getSub, { id: body.id })).json()) as { items: { title: string; jobId: string }[] };
    expect(one.items.map((i) => i.title)).toEqual(["First", "Second"]);
    expect(one.items.every((i) => i.jobId)).toBe(true);
  });

  it("refuses bad input by name: backfill over 50, a private address, a page without a feed", async () => {
    const post = (body: unknown) => call(createSub, none, { method: "POST", body });
    const tooMany = await post({ url: `${server.origin}/blog`, backfill: 51 });
    expect(tooMany.status).toBe(400);
    expect(await tooMany.json()).toMatchObject({ error: { reason: "invalid_body" } });
    const privateUrl = await post({ url: "http://10.0.0.1/feed" });
    expect(await privateUrl.json()).toMatchObject({ error: { reason: "blocked_url" } });
    server.routes.set("/nofeed", { type: "text/html", body: "<html><body>nothing</body></html>" });
    const noFeed = await post({ url: `${server.origin}/nofeed` });
    expect(noFeed.status).toBe(422);
    expect(await noFeed.json()).toMatchObject({ error: { reason: "unsupported_content" } });
  });

  it("pauses, changes language and auto-summarize, polls now (202), summarizes a skipped item, deletes", async () => {
    server.routes.set("/quiet.xml", {
      body: rss("Quiet", [
        { guid: "b", title: "B", link: `${server.origin}/posts/b` },
        { guid: "a", title: "A", link: `${server.origin}/posts/a` },
      ]),
    });
    const created = await call(createSub, none, {
      method: "POST",
      body: { url: `${server.origin}/quiet.xml`, autoSummarize: false },
    });
    const { id } = (await created.json()) as { id: string };
    await Promise.allSettled(background);

    const patched = await call(
      patchSub,
      { id },
      { method: "PATCH", body: { paused: true, lang: "de", autoSummarize: true } },
    );
    expect(await patched.json()).toMatchObject({ paused: true, lang: "de", autoSummarize: true });
    expect((await call(patchSub, { id }, { method: "PATCH", body: { color: "red" } })).status).toBe(400);

    const polled = await call(pollNowRoute, { id }, { method: "POST" });
    expect(polled.status).toBe(202);

    const { items } = (await (await call(getSub, { id })).json()) as { items: { id: string; status: string }[] };
    expect(items.map((i) => i.status)).toEqual(["skipped", "skipped"]);
    const summarized = await call(pollRoute, { id, itemId: items[0]?.id ?? "" }, { method: "POST" });
    expect(summarized.status).toBe(202);
    expect(await summarized.json()).toMatchObject({ jobId: expect.any(String) });
    const after = (await (await call(getSub, { id })).json()) as { items: { status: string }[] };
    expect(after.items[0]?.status).toBe("queued");

    expect((await call(deleteSub, { id }, { method: "DELETE" })).status).toBe(204);
    expect((await call(deleteSub, { id }, { method: "DELETE" })).status).toBe(404);
    expect((await call(getSub, { id })).status).toBe(404);
  });

  it("imports OPML and exports it", async () => {
    const opml = `<?xml version="1.0"?><opml version="2.0"><body><outline text="X" xmlUrl="https://x.example/feed"/></body></opml>`;
    const imported = await call(importRoute, none, { method: "POST", text: opml });
    expect(imported.status).toBe(201);
    expect(await imported.json()).toEqual({ added: 1, existing: 0, refused: [] });
    const exported = await call(exportRoute, none);
    expect(exported.headers.get("content-type")).toMatch(/opml/);
    expect(await exported.text()).toContain('xmlUrl="https://x.example/feed"');
  });
});

describe("/api/webhooks", () => {
  it("creates an endpoint (201, its whsec_ secret shown once), lists it without the secret, sends a test, deletes", async () => {
    const refused = await call(createHook, none, {
      method: "POST",
      body: { url: "https://hooks.example/in", events: ["article.deleted"] },
    });
    expect(refused.status).toBe(400);
    const privateUrl = await call(createHook, none, {
      method: "POST",
      body: { url: "http://192.168.0.10/in", events: ["job.failed"] },
    });
    expect(await privateUrl.json()).toMatchObject({ error: { reason: "blocked_url" } });

    server.routes.set("/hook", { status: 204 });
    const created = await call(createHook, none, {
      method: "POST",
      // Not job.failed: this file's jobs fail (their pages do not exist) and would be delivered too.
      body: { url: `${server.origin}/hook`, events: ["article.saved"] },
    });
    expect(created.status).toBe(201);
    const endpoint = (await created.json()) as { id: string; secret: string };
    expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    const listed = JSON.stringify(await (await call(listHooks, none)).json());
    expect(listed).toContain(endpoint.id);
    expect(listed).not.toContain(endpoint.secret);

    const sent = await call(testHook, { id: endpoint.id }, { method: "POST" });
    expect(sent.status).toBe(202);
    const { deliveryId } = (await sent.json()) as { deliveryId: string };
    await expect
      .poll(async () => {
        const shown = (await (await call(getHook, { id: endpoint.id })).json()) as {
          lastStatus: number | null;
          deliveries: { id: string; status: string }[];
        };
        return [shown.lastStatus, shown.deliveries[0]?.id, shown.deliveries[0]?.status];
      })
      .toEqual([204, deliveryId, "delivered"]);
    expect(server.requests.filter((r) => r.path === "/hook")).toHaveLength(1);

    expect((await call(deleteHook, { id: endpoint.id }, { method: "DELETE" })).status).toBe(204);
    expect((await call(testHook, { id: endpoint.id }, { method: "POST" })).status).toBe(404);
  });
});
