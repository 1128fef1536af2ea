import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProgressKv } from "@/lib/progress/kv";
import { createMemoryKv } from "@/lib/progress/memory-kv";
import { createRedisKv } from "@/lib/progress/redis-kv";
import { createUpstashKv } from "@/lib/progress/upstash-kv";
import { REDIS_URL, serviceAvailable } from "../helpers/services";
import { startUpstashBridge, type UpstashBridge } from "../helpers/upstash-bridge";
import { Redis } from "ioredis";

const redisUp = await serviceAvailable("redis");
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
      const waiting = kv.waitForEvents(jobId, 0, 10_000);
      setTimeout(() => void kv.append({ jobId, type: "job.queued", at: 1 }), 50);
      await waiting;
      expect(await kv.count(jobId)).toBe(1);
      // Already past `after`: returns at once.
      await kv.waitForEvents(jobId, 0, 10_000);
      const controller = new AbortController();
      const aborted = kv.waitForEvents(jobId, 1, 10_000, controller.signal);
      controller.abort();
      await aborted;
    });

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
