import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProgressKv } from "@/lib/progress/kv";
import { createMemoryKv } from "@/lib/progress/memory-kv";
import { createRedisKv } from "@/lib/progress/redis-kv";
import { createEventStream } from "@/lib/progress/relay";
import { createUpstashKv } from "@/lib/progress/upstash-kv";
import { REDIS_URL, serviceAvailable } from "../helpers/services";
import { startUpstashBridge, type UpstashBridge } from "../helpers/upstash-bridge";

const redisUp = await serviceAvailable("redis");
const QUIET_MS = 10_000;
/** Generous for a push on a shared 2-core machine (the bench's p99 is far lower), short of any poll interval. */
const PUSH_BUDGET_MS = 300;
const prefix = `test-progress-${randomUUID().slice(0, 8)}`;

/** One contract, three adapters: whatever the deployment, the relay and the UI see the same log. */
function contract(name: string, make: () => Promise<ProgressKv>, opts: { ttl?: boolean } = {}) {
  describe(`ProgressKv contract: ${name}`, () => {
    let kv: ProgressKv;
    beforeAll(async () => {
      kv = await make();
    });
    afterAll(async () => kv?.close());
    const job = () => `job_${randomUUID().slice(0, 12)}`;

    it("assigns seq 1..n on append and reads after any seq with a limit", async () => {
      const jobId = job();
      for (let i = 0; i < 5; i++) {
        const event = await kv.append({
          jobId,
          type: "step.progress",
          at: 1_000 + i,
          step: "transcribe",
          progress: { done: i, total: 5, unit: "chunk" },
        });
        expect(event.seq).toBe(i + 1);
      }
      expect((await kv.readAfter(jobId, 0)).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
      expect((await kv.readAfter(jobId, 2, 2)).map((e) => e.seq)).toEqual([3, 4]);
      expect(await kv.readAfter(jobId, 5)).toEqual([]);
      expect((await kv.readAfter(jobId, 3))[0]).toMatchObject({
        jobId,
        type: "step.progress",
        at: 1_003,
        progress: { done: 3 },
      });
      expect(await kv.count(jobId)).toBe(5);
      expect(await kv.readAfter(job(), 0)).toEqual([]);
    });

    it("never duplicates or skips a seq under concurrent writers", async () => {
      const jobId = job();
      const writers = Array.from({ length: 8 }, (_, w) =>
        Promise.all(
          Array.from({ length: 25 }, (_, i) =>
            kv.append({ jobId, type: "step.progress", at: w * 100 + i, message: `${w}-${i}` }),
          ),
        ),
      );
      const seqs = (await Promise.all(writers)).flat().map((e) => e.seq);
      expect(new Set(seqs).size).toBe(200);
      expect(Math.min(...seqs)).toBe(1);
      expect(Math.max(...seqs)).toBe(200);
      const stored = await kv.readAfter(jobId, 0, 500);
      expect(stored.map((e) => e.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
      expect(new Set(stored.map((e) => e.message)).size).toBe(200);
    });

    it("keeps a snapshot beside the log", async () => {
      const jobId = job();
      expect(await kv.getSnapshot(jobId)).toBeNull();
      await kv.setSnapshot({ jobId, status: "running", step: "extract", updatedAt: 5 });
      expect(await kv.getSnapshot(jobId)).toEqual({ jobId, status: "running", step: "extract", updatedAt: 5 });
    });

    it("wakes a waiting reader on append and times out otherwise", async () => {
      const jobId = job();
      const t0 = Date.now();
      await kv.waitForEvents(jobId, 0, 150);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
      const waiting = kv.waitForEvents(jobId, 0, 10_000).then(() => "woken");
      setTimeout(() => void kv.append({ jobId, type: "job.queued", at: 1 }), 50);
      // Woken by the append, not by the 10 s timeout running out.
      const outcome = await Promise.race([waiting, new Promise((r) => setTimeout(r, 5_000, "timed out"))]);
      expect(outcome).toBe("woken");
      expect(await kv.count(jobId)).toBe(1);
      // Already past `after`: returns at once.
      await kv.waitForEvents(jobId, 0, 10_000);
      const controller = new AbortController();
      const aborted = kv.waitForEvents(jobId, 1, 10_000, controller.signal);
      controller.abort();
      await aborted;
    });

    it("relays the first event after 10 s of quiet within the push budget", async () => {
      const jobId = job();
      const reader = createEventStream({ kv, jobId, after: 0, heartbeatMs: 15_000 }).getReader();
      const received = (async () => {
        const decoder = new TextDecoder();
        let text = "";
        while (!text.includes("event: job.completed")) {
          const { value, done } = await reader.read();
          if (done) break;
          text += decoder.decode(value, { stream: true });
        }
        return Date.now();
      })();
      await new Promise((r) => setTimeout(r, QUIET_MS));
      const sent = Date.now();
      await kv.append({ jobId, type: "job.completed", at: sent });
      // Polling would find it 0.15-1.5 s late (and the safety poll only after 10 s); a push arrives in milliseconds.
      expect((await received) - sent).toBeLessThan(PUSH_BUDGET_MS);
    }, 30_000);

    if (opts.ttl) {
      it("sets a TTL on every key", async () => {
        const jobId = job();
        await kv.append({ jobId, type: "job.queued", at: 1 });
        await kv.setSnapshot({ jobId, status: "queued", updatedAt: 1 });
        const redis = new Redis(REDIS_URL);
        const ttls = await Promise.all([
          redis.ttl(`${prefix}:${jobId}:events`),
          redis.ttl(`${prefix}:${jobId}:snapshot`),
        ]);
        redis.disconnect();
        for (const ttl of ttls) expect(ttl).toBeGreaterThan(6 * 24 * 3600);
      });
    }
  });
}

contract("memory", async () => createMemoryKv());

describe.skipIf(!redisUp)("with Redis", () => {
  let bridge: UpstashBridge;
  beforeAll(async () => {
    bridge = await startUpstashBridge(REDIS_URL);
  });
  afterAll(async () => bridge?.close());

  contract("redis (TCP)", async () => createRedisKv(REDIS_URL, { prefix }), { ttl: true });
  contract("upstash (REST via loopback bridge)", async () => createUpstashKv(bridge.url, bridge.token, { prefix }), {
    ttl: true,
  });

  describe("upstash live reads", () => {
    const job = () => `job_${randomUUID().slice(0, 12)}`;
    const readAll = async (stream: ReadableStream<Uint8Array>) => {
      let text = "";
      for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) text += new TextDecoder().decode(chunk);
      return [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
    };

    it("pushes events to a following reader over one subscription, closed with the response", async () => {
      const kv = createUpstashKv(bridge.url, bridge.token, { prefix });
      const writer = createRedisKv(REDIS_URL, { prefix });
      const jobId = job();
      expect(await kv.liveMode()).toBe("push");
      const before = bridge.commands;
      const reading = readAll(createEventStream({ kv, jobId, after: 0 }));
      await new Promise((r) => setTimeout(r, 300));
      expect(bridge.subscriptions()).toBe(1);
      for (let i = 0; i < 19; i++) {
        await writer.append({ jobId, type: "step.progress", at: Date.now() });
        await new Promise((r) => setTimeout(r, 20));
      }
      await writer.append({ jobId, type: "job.completed", at: Date.now() });
      expect(await reading).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      // First read, SUBSCRIBE, one LLEN behind it (and a few polls while a slow subscription opens): the 20 events
      // came with their notifications, where reading the log for each would cost at least 20 commands.
      expect(bridge.commands - before).toBeLessThan(10);
      await new Promise((r) => setTimeout(r, 100));
      expect(bridge.subscriptions()).toBe(0);
      await writer.close();
    });

    it("finds an event whose notification was missed with the safety poll", async () => {
      const kv = createUpstashKv(bridge.url, bridge.token, { prefix, safetyPollMs: 300 });
      const redis = new Redis(REDIS_URL);
      const jobId = job();
      const controller = new AbortController();
      const woke = kv.waitForEvents(jobId, 0, 20_000, controller.signal).then(() => "woke");
      await new Promise((r) => setTimeout(r, 200));
      // Appended without PUBLISH, as if the message were lost on the way.
      await redis.rpush(`${prefix}:${jobId}:events`, JSON.stringify({ jobId, type: "job.queued", at: 1 }));
      const timeout = new Promise((r) => setTimeout(r, 5_000, "timed out"));
      expect(await Promise.race([woke, timeout])).toBe("woke");
      controller.abort();
      redis.disconnect();
    });

    it("falls back to polling the moment its subscription drops mid-job, and subscribes again", async () => {
      // The safety poll stays at its default (10 s): only noticing the drop can bring the next event sooner.
      const kv = createUpstashKv(bridge.url, bridge.token, { prefix });
      const writer = createRedisKv(REDIS_URL, { prefix });
      const jobId = job();
      const seen = new Map<number, number>();
      const stream = createEventStream({ kv, jobId, after: 0 });
      const reading = (async () => {
        for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) {
          for (const m of new TextDecoder().decode(chunk).matchAll(/^id: (\d+)$/gm)) seen.set(Number(m[1]), Date.now());
        }
      })();
      const until = async (ok: () => boolean, ms: number) => {
        for (const end = Date.now() + ms; !ok() && Date.now() < end; ) await new Promise((r) => setTimeout(r, 20));
        return ok();
      };
      await writer.append({ jobId, type: "job.queued", at: Date.now() });
      expect(await until(() => seen.has(1) && bridge.subscriptions() === 1, 5_000)).toBe(true);

      bridge.dropSubscriptions();
      await new Promise((r) => setTimeout(r, 200));
      const sentAt = Date.now();
      await writer.append({ jobId, type: "step.started", step: "fetch", at: Date.now() });
      expect(await until(() => seen.has(2), 2_000)).toBe(true);
      expect((seen.get(2) ?? Infinity) - sentAt).toBeLessThan(2_000);
      // The reader subscribed again, and later events are pushed as before.
      expect(await until(() => bridge.subscriptions() === 1, 5_000)).toBe(true);
      await writer.append({ jobId, type: "job.completed", at: Date.now() });
      await reading;
      expect([...seen.keys()]).toEqual([1, 2, 3]);
      await writer.close();
    });

    it("polls when the subscription is refused, and says so", async () => {
      const refusing = await startUpstashBridge(REDIS_URL, "refusing-token");
      refusing.refuseSubscribe = true;
      const kv = createUpstashKv(refusing.url, refusing.token, { prefix });
      const writer = createRedisKv(REDIS_URL, { prefix });
      try {
        expect(await kv.liveMode()).toBe("poll");
        const jobId = job();
        const reading = readAll(createEventStream({ kv, jobId, after: 0 }));
        for (let i = 0; i < 4; i++) {
          await writer.append({ jobId, type: "step.progress", at: Date.now() });
          await new Promise((r) => setTimeout(r, 100));
        }
        await writer.append({ jobId, type: "job.failed", at: Date.now() });
        expect(await reading).toEqual([1, 2, 3, 4, 5]);
        expect(refusing.subscriptions()).toBe(0);
      } finally {
        await writer.close();
        await refusing.close();
      }
    });
  });

  it("reads with one adapter what the other wrote", async () => {
    const tcp = createRedisKv(REDIS_URL, { prefix });
    const rest = createUpstashKv(bridge.url, bridge.token, { prefix });
    const jobId = `job_${randomUUID().slice(0, 12)}`;
    await tcp.append({ jobId, type: "job.queued", at: 1, data: { url: "https://a.example/é" } });
    await rest.append({ jobId, type: "step.started", at: 2, step: "fetch" });
    expect(await rest.readAfter(jobId, 0)).toEqual(await tcp.readAfter(jobId, 0));
    expect((await tcp.readAfter(jobId, 0)).map((e) => e.type)).toEqual(["job.queued", "step.started"]);
    await tcp.close();
  });
});
