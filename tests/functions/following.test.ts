import { InngestTestEngine } from "@inngest/test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPollFeeds } from "@/inngest/functions/poll-feeds";
import { createPollSubscription } from "@/inngest/functions/poll-subscription";
import { type FeedServer, rss, startFeedServer } from "../helpers/feed-server";
import { type FeedTestServices, feedServices } from "../helpers/feed-services";

let server: FeedServer;
let services: FeedTestServices;
beforeAll(async () => {
  server = await startFeedServer();
  services = await feedServices([server.hostPort]);
}, 180_000);
afterAll(async () => {
  await services?.store.close();
  await server?.close();
});

describe("poll-feeds (Inngest cron)", () => {
  it("fans the due subscriptions out as subscription/poll events, 100 per step.sendEvent, keyed by host", async () => {
    const due = Array.from({ length: 250 }, (_, i) => ({ id: `s${i}`, feedUrl: `https://host${i % 3}.example/feed` }));
    const engine = new InngestTestEngine({
      function: createPollFeeds(async () => ({ claimDueSubscriptions: async () => due })),
      events: [{ name: "inngest/scheduled.timer", data: {} }],
      steps: ["fan-out-0", "fan-out-1", "fan-out-2"].map((id) => ({ id, handler: () => ({ ids: [] }) })),
    });
    const { result, ctx } = await engine.execute();
    expect(result).toEqual({ due: 250 });
    const sends = ctx.step.sendEvent.mock.calls as unknown as [string, { name: string; data: unknown }[]][];
    expect(sends.map(([id, events]) => [id, events.length])).toEqual([
      ["fan-out-0", 100],
      ["fan-out-1", 100],
      ["fan-out-2", 50],
    ]);
    expect(sends[0]?.[1][4]).toMatchObject({
      name: "subscription/poll",
      data: { subscriptionId: "s4", host: "host1.example" },
    });
  });
});

describe("poll-subscription (Inngest function)", () => {
  it("checks the feed in one step and queues each new item in its own; a replay submits nothing again", async () => {
    server.routes.set("/f.xml", {
      body: rss("F", [
        { guid: "1", title: "One", link: `${server.origin}/p/1` },
        { guid: "2", title: "Two", link: `${server.origin}/p/2` },
      ]),
    });
    const { subscription } = await services.store.createSubscription({
      url: `${server.origin}/f.xml`,
      feedUrl: `${server.origin}/f.xml`,
      kind: "feed",
      format: "rss",
      title: "",
      siteUrl: null,
      lang: null,
      autoSummarize: true,
      backfill: 5,
    });
    const engine = () =>
      new InngestTestEngine({
        function: createPollSubscription(async () => services),
        events: [{ name: "subscription/poll", data: { subscriptionId: subscription.id, host: server.hostPort } }],
      });
    const first = await engine().execute();
    expect(first.error).toBeUndefined();
    const ids = first.ctx.step.run.mock.calls.map((call) => String(call[0]));
    expect(ids[0]).toBe("check");
    expect(ids.slice(1).every((id) => id.startsWith("queue:"))).toBe(true);
    expect(ids).toHaveLength(3);
    expect(services.dispatched).toHaveLength(2);

    // A replay with every step memoized: no step body runs, nothing is submitted twice.
    const outputs = first.ctx.step.run.mock.results.map((r) => r.value as Promise<unknown>);
    const memoized = await Promise.all(outputs);
    const replay = await engine().execute({ steps: ids.map((id, i) => ({ id, handler: () => memoized[i] })) });
    expect(replay.error).toBeUndefined();
    expect(services.dispatched).toHaveLength(2);
    expect(replay.result).toMatchObject({ added: 2, jobs: services.dispatched.map((d) => d.jobId) });
  });
});
