import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { EventSource } from "eventsource";
import { createParser } from "eventsource-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createExtractiveSummarizer } from "@/lib/ai/extractive-summarizer";
import { createInlineRunner } from "@/lib/jobs/inline-runner";
import type { SafeFetch } from "@/lib/net/types";
import { EVENT_TYPES, type ProgressEvent } from "@/lib/progress/events";
import type { ProgressKv } from "@/lib/progress/kv";
import { createMemoryKv } from "@/lib/progress/memory-kv";
import { createPublisher } from "@/lib/progress/publisher";
import { createRedisKv } from "@/lib/progress/redis-kv";
import { createStore } from "@/lib/store";
import { SITE_DIR } from "../helpers/fixture-server";
import { quietLogger, testReader } from "../helpers/pipeline-fixtures";
import { type RelayServer, startRelayServer } from "../helpers/relay-server";
import { REDIS_URL, serviceAvailable } from "../helpers/services";

const redisUp = await serviceAvailable("redis");

interface Frame {
  id?: string;
  event?: string;
  data: string;
}

/** Reads one SSE response to its end (or until `stopAfter` frames), with eventsource-parser. */
async function readStream(url: string, headers: Record<string, string> = {}, stopAfter = Number.POSITIVE_INFINITY) {
  const frames: Frame[] = [];
  const comments: string[] = [];
  const controller = new AbortController();
  const response = await fetch(url, { headers, signal: controller.signal });
  const parser = createParser({
    onEvent: (event) => frames.push({ id: event.id, event: event.event, data: event.data }),
    onComment: (comment) => comments.push(comment),
  });
  const decoder = new TextDecoder();
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      parser.feed(decoder.decode(chunk, { stream: true }));
      if (frames.length >= stopAfter) {
        controller.abort();
        break;
      }
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  }
  return { frames, comments, status: response.status };
}

const newJob = () => `job_${randomUUID().slice(0, 12)}`;
const append = (kv: ProgressKv, jobId: string, type: ProgressEvent["type"] = "step.progress") =>
  kv.append({ jobId, type, at: Date.now() });

describe("SSE relay (memory KV)", () => {
  let kv: ProgressKv;
  let relay: RelayServer;
  beforeAll(async () => {
    kv = createMemoryKv();
    relay = await startRelayServer(kv, { heartbeatMs: 100, maxLifetimeMs: 600 });
  });
  afterAll(() => relay.close());

  it("replays in order, then closes after the terminal event", async () => {
    const jobId = newJob();
    for (let i = 0; i < 4; i++) await append(kv, jobId);
    await append(kv, jobId, "job.completed");
    await append(kv, jobId); // written after the terminal event: never sent
    const { frames } = await readStream(`${relay.origin}/jobs/${jobId}/events`);
    expect(frames.map((f) => Number(f.id))).toEqual([1, 2, 3, 4, 5]);
    expect(frames.at(-1)?.event).toBe("job.completed");
    expect(JSON.parse(frames[0]?.data ?? "{}")).toMatchObject({ seq: 1, jobId, type: "step.progress" });
  });

  it("follows the job's latest run: a failed run replays as history and the stream ends at the retry's terminal event", async () => {
    const jobId = newJob();
    // Run 1 fails at fetch; a late write from that run lands after its terminal event.
    await append(kv, jobId, "job.queued"); // 1
    await append(kv, jobId, "step.started"); // 2
    await append(kv, jobId, "step.failed"); // 3
    await append(kv, jobId, "job.failed"); // 4
    await append(kv, jobId, "step.progress"); // 5: stray, belongs to no run
    // Run 2 (the retry) completes.
    await append(kv, jobId, "job.queued"); // 6
    await append(kv, jobId, "step.started"); // 7
    await append(kv, jobId, "step.completed"); // 8
    await append(kv, jobId, "job.completed"); // 9
    await append(kv, jobId, "step.progress"); // 10: after the latest terminal event, never sent

    const fromStart = await readStream(`${relay.origin}/jobs/${jobId}/events`);
    expect(fromStart.frames.map((f) => [Number(f.id), f.event])).toEqual([
      [1, "job.queued"],
      [2, "step.started"],
      [3, "step.failed"],
      [4, "job.failed"],
      [6, "job.queued"],
      [7, "step.started"],
      [8, "step.completed"],
      [9, "job.completed"],
    ]);
    // A browser that had stopped at the first run's end resumes into the retry.
    const resumed = await readStream(`${relay.origin}/jobs/${jobId}/events`, { "Last-Event-ID": "4" });
    expect(resumed.frames.map((f) => Number(f.id))).toEqual([6, 7, 8, 9]);
    // Resuming at the latest terminal event ends at once (no wait until the lifetime cap).
    const started = Date.now();
    const atEnd = await readStream(`${relay.origin}/jobs/${jobId}/events?after=9`);
    expect(atEnd.frames).toEqual([]);
    expect(Date.now() - started).toBeLessThan(500);
  });

  it("a stream open while a run fails ends there; resumed after the retry, it follows the new run live", async () => {
    const jobId = newJob();
    await append(kv, jobId, "job.queued");
    const first = readStream(`${relay.origin}/jobs/${jobId}/events`);
    await new Promise((r) => setTimeout(r, 50));
    await append(kv, jobId, "job.failed");
    expect((await first).frames.map((f) => f.event)).toEqual(["job.queued", "job.failed"]);
    // The retry appends its job.queued before the browser reopens the stream from its last id.
    await append(kv, jobId, "job.queued");
    const live = readStream(`${relay.origin}/jobs/${jobId}/events`, { "Last-Event-ID": "2" });
    await new Promise((r) => setTimeout(r, 50));
    await append(kv, jobId, "step.started");
    await new Promise((r) => setTimeout(r, 50));
    await append(kv, jobId, "job.completed");
    const { frames } = await live;
    expect(frames.map((f) => [Number(f.id), f.event])).toEqual([
      [3, "job.queued"],
      [4, "step.started"],
      [5, "job.completed"],
    ]);
  });

  it("resumes after Last-Event-ID or ?after= with no loss or duplicate", async () => {
    const jobId = newJob();
    for (let i = 0; i < 6; i++) await append(kv, jobId);
    await append(kv, jobId, "job.failed");
    const byHeader = await readStream(`${relay.origin}/jobs/${jobId}/events`, { "Last-Event-ID": "3" });
    expect(byHeader.frames.map((f) => Number(f.id))).toEqual([4, 5, 6, 7]);
    const byQuery = await readStream(`${relay.origin}/jobs/${jobId}/events?after=6`);
    expect(byQuery.frames.map((f) => Number(f.id))).toEqual([7]);
  });

  it("sends heartbeats while idle and ends itself at the lifetime cap", async () => {
    const jobId = newJob();
    const started = Date.now();
    const { frames, comments } = await readStream(`${relay.origin}/jobs/${jobId}/events`);
    expect(frames).toEqual([]);
    expect(comments.filter((c) => c.includes("heartbeat")).length).toBeGreaterThanOrEqual(3);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("a browser EventSource reconnects across lifetime caps and sees every event once", async () => {
    const jobId = newJob();
    const seen: number[] = [];
    const done = new Promise<void>((resolve) => {
      const source = new EventSource(`${relay.origin}/jobs/${jobId}/events`);
      for (const type of EVENT_TYPES) {
        source.addEventListener(type, (message) => {
          seen.push(Number((message as MessageEvent).lastEventId));
          if (type === "job.completed") {
            source.close();
            resolve();
          }
        });
      }
    });
    // Events keep coming for ~2 s: the 600 ms stream lifetime forces several reconnects in between.
    for (let i = 0; i < 20; i++) {
      await append(kv, jobId);
      await new Promise((r) => setTimeout(r, 100));
    }
    await append(kv, jobId, "job.completed");
    await done;
    expect(seen).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
  });

  it("stops reading when the client goes away", async () => {
    // Long heartbeat and lifetime: only the request's abort can end this stream soon.
    const waits: AbortSignal[] = [];
    const spy: ProgressKv = {
      ...kv,
      waitForEvents: (jobId, after, timeoutMs, signal) => {
        if (signal) waits.push(signal);
        return kv.waitForEvents(jobId, after, timeoutMs, signal);
      },
    };
    const quietRelay = await startRelayServer(spy, { heartbeatMs: 20_000, maxLifetimeMs: 60_000 });
    try {
      const jobId = newJob();
      await append(kv, jobId);
      await readStream(`${quietRelay.origin}/jobs/${jobId}/events`, {}, 1);
      const deadline = Date.now() + 3_000;
      while ((quietRelay.open() > 0 || !waits.every((s) => s.aborted)) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(waits.length).toBeGreaterThan(0);
      expect(waits.every((s) => s.aborted)).toBe(true);
      expect(quietRelay.open()).toBe(0);
    } finally {
      await quietRelay.close();
    }
  });

  it("answers a clear error event when the log cannot be read", async () => {
    const broken: ProgressKv = {
      ...createMemoryKv(),
      readAfter: async () => Promise.reject(new Error("connection refused")),
    };
    const brokenRelay = await startRelayServer(broken);
    try {
      const { frames } = await readStream(`${brokenRelay.origin}/jobs/${newJob()}/events`);
      expect(frames).toEqual([{ id: undefined, event: "relay.error", data: expect.stringContaining("unavailable") }]);
      // The backend's own words stay in the server's log.
      expect(JSON.stringify(frames)).not.toContain("connection refused");
    } finally {
      await brokenRelay.close();
    }
  });
});

describe.skipIf(!redisUp)("SSE relay over real Redis", () => {
  const prefix = `test-relay-${randomUUID().slice(0, 8)}`;
  let writer: ProgressKv;
  let reader: ProgressKv;
  let relay: RelayServer;
  beforeAll(async () => {
    writer = createRedisKv(REDIS_URL, { prefix });
    reader = createRedisKv(REDIS_URL, { prefix });
    relay = await startRelayServer(reader, { heartbeatMs: 1_000, maxLifetimeMs: 5_000 });
  });
  afterAll(async () => {
    await relay.close();
    await writer.close();
    await reader.close();
  });

  it("survives a reconnect storm: 1,000 random disconnects, final sequence exactly 1..n", async () => {
    const jobId = newJob();
    const total = 1_500;
    const producer = (async () => {
      for (let i = 0; i < total - 1; i++) {
        await append(writer, jobId);
        if (i % 50 === 0) await new Promise((r) => setTimeout(r, 1));
      }
      await append(writer, jobId, "job.completed");
    })();
    const received: number[] = [];
    let disconnects = 0;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const last = received.at(-1) ?? 0;
      // Read a random number of events (0..3), then drop the connection, as a flaky network would.
      const take = disconnects < 1_000 ? Math.floor(Math.random() * 4) : Number.POSITIVE_INFINITY;
      const { frames } = await readStream(
        `${relay.origin}/jobs/${jobId}/events`,
        { "Last-Event-ID": String(last) },
        Math.max(take, 1),
      );
      // Frames past `take` arrived in the same chunk; a client that dropped the connection never processed them.
      const kept = frames.slice(0, Math.max(take, 1));
      received.push(...kept.map((f) => Number(f.id)));
      if (kept.some((f) => f.event === "job.completed")) break;
      disconnects += 1;
    }
    await producer;
    expect(disconnects).toBeGreaterThanOrEqual(400);
    expect(received).toEqual(Array.from({ length: total }, (_, i) => i + 1));
  }, 90_000);

  it("keeps the job going through a KV outage and replays everything written after recovery", async () => {
    const proxy = await startCuttableProxy();
    const flaky = createRedisKv(proxy.url, { prefix });
    const jobId = newJob();
    const publisher = createPublisher({ kv: flaky, now: Date.now, logger: quietLogger }, jobId);
    try {
      expect(await publisher.publish({ type: "step.started", step: "fetch" })).toMatchObject({ seq: 1 });
      proxy.cut();
      // While Redis is unreachable the publisher neither throws nor hangs: the job goes on.
      const during = await publisher.publish({ type: "step.completed", step: "fetch" });
      expect(during).toBeNull();
      proxy.restore();
      // The publisher backs off after a failure; a later publish (a new attempt's publisher) writes again.
      const recovered = createPublisher({ kv: flaky, now: Date.now, logger: quietLogger }, jobId);
      let after: ProgressEvent | null = null;
      for (let i = 0; i < 40 && !after; i++) {
        after = await recovered.publish({ type: "job.completed" });
        if (!after) await new Promise((r) => setTimeout(r, 100));
      }
      expect(after?.type).toBe("job.completed");
      // Whatever reached the log (a write sent during the outage may land late) is replayed, gap-free, in order.
      const { frames } = await readStream(`${relay.origin}/jobs/${jobId}/events`);
      expect(frames.map((f) => Number(f.id))).toEqual(frames.map((_, i) => i + 1));
      expect(frames[0]?.event).toBe("step.started");
      expect(frames.at(-1)?.event).toBe("job.completed");
    } finally {
      await flaky.close();
      proxy.close();
    }
  }, 30_000);

  it("completes and saves a whole job while Redis is unreachable", async () => {
    const proxy = await startCuttableProxy();
    proxy.cut();
    const flaky = createRedisKv(proxy.url, { prefix });
    const dir = mkdtempSync(path.join(os.tmpdir(), "as-outage-"));
    const store = await createStore({ kind: "pglite", dir });
    try {
      const html = new Uint8Array(readFileSync(path.join(SITE_DIR, "article.html")));
      const deps = {
        fetch: (async (url: string) => ({
          url,
          status: 200,
          headers: {},
          contentType: "text/html",
          body: html,
          bodyRead: true,
          redirects: [url],
        })) as SafeFetch,
        store,
        kv: flaky,
        summarizer: createExtractiveSummarizer(),
        now: Date.now,
        reader: testReader,
        logger: quietLogger,
      };
      const runner = createInlineRunner(async () => deps, { retries: 0 });
      const jobId = newJob();
      await store.createJob({
        id: jobId,
        url: "https://news.example/outage",
        canonicalUrl: "https://news.example/outage",
        force: true,
      });
      await runner.dispatch({ jobId, url: "https://news.example/outage", force: true, runKey: jobId });
      await runner.wait(jobId);
      const job = await store.getJob(jobId);
      expect(job).toMatchObject({ status: "completed", articleId: expect.any(String) });
      expect((await store.getArticle(job?.articleId ?? ""))?.title).toBe(
        "How Small Towns Are Rebuilding Their Libraries",
      );
    } finally {
      await flaky.close();
      await store.close();
      proxy.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

/** A TCP proxy in front of Redis that can be cut and restored, as a network partition would. */
async function startCuttableProxy() {
  let open = true;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    if (!open) return client.destroy();
    const upstream = net.connect(Number(new URL(REDIS_URL).port || 6379), "127.0.0.1");
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `redis://127.0.0.1:${(server.address() as AddressInfo).port}`,
    cut() {
      open = false;
      for (const s of sockets) s.destroy();
    },
    restore() {
      open = true;
    },
    close() {
      this.cut();
      server.close();
    },
  };
}
