import { randomUUID } from "node:crypto";
import { createParser } from "eventsource-parser";
import { Redis } from "ioredis";
import type { ProgressEvent } from "@/lib/progress/events";
import type { ProgressKv } from "@/lib/progress/kv";
import { createRedisKv } from "@/lib/progress/redis-kv";
import { createUpstashKv } from "@/lib/progress/upstash-kv";
import { startRelayServer } from "../tests/helpers/relay-server";
import { REDIS_URL } from "../tests/helpers/services";
import { startUpstashBridge } from "../tests/helpers/upstash-bridge";
import { percentile, round } from "./corpus";

/**
 * npm run bench:relay — latency from an event's `at` to its receipt by SSE viewers (1, 10, 50 at once), and
 * KV commands per viewer, for Redis over TCP (notified reads), Upstash REST woken by its streamed SUBSCRIBE
 * (push), Upstash REST polling adaptively (its fallback, and the design before push) and a naive 100 ms poll as
 * the baseline, all against the local Redis. `quiet` is the first event after 10 s of silence. Loopback only;
 * bounded; prints JSON.
 */
const EVENTS = 40;
const SPACING_MS = 125; // a 5-second job
const VIEWERS = [1, 10, 50];

/** The baseline: read the log every 100 ms whether or not anything was written. */
function naivePoll(kv: ProgressKv): ProgressKv {
  return {
    ...kv,
    waitForEvents: (_jobId, _after, timeoutMs, signal) =>
      new Promise((resolve) => {
        const timer = setTimeout(() => resolve([]), Math.min(100, timeoutMs));
        signal?.addEventListener("abort", () => {
          clearTimeout(timer);
          resolve([]);
        });
      }),
  };
}

async function viewer(url: string, latencies: number[], firstOnly: boolean): Promise<void> {
  const response = await fetch(url);
  let done = false;
  const parser = createParser({
    onEvent: (event) => {
      const data = JSON.parse(event.data) as ProgressEvent;
      if (!firstOnly || data.seq === 1) latencies.push(Date.now() - data.at);
      if (data.type === "job.completed") done = true;
    },
  });
  const decoder = new TextDecoder();
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    parser.feed(decoder.decode(chunk, { stream: true }));
    if (done) break;
  }
}

async function redisCalls(redis: Redis): Promise<number> {
  const info = await redis.info("commandstats");
  return [...info.matchAll(/calls=(\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
}

interface Scenario {
  events: number;
  spacingMs: number;
  viewers: number[];
  /** Silence before the first event; only the first event's latency is then reported. */
  quietMs?: number;
}
const LATENCY: Scenario = { events: EVENTS, spacingMs: SPACING_MS, viewers: VIEWERS };
/** A sparser job, as real ones are (a few events a second at most, long quiet stretches while an LLM works). */
const COST: Scenario = { events: 10, spacingMs: 2_000, viewers: [10] };
/** Real jobs are mostly quiet (a transcription part, a summary): the first event after 10 s of nothing. */
const QUIET: Scenario = { events: 3, spacingMs: 200, viewers: [50], quietMs: 10_000 };

async function measure(
  name: string,
  reader: ProgressKv,
  writer: ProgressKv,
  countCommands: () => Promise<number>,
  writerCommandsPerEvent: number,
  scenario: Scenario = LATENCY,
) {
  const { events: EVENTS, spacingMs: SPACING_MS } = scenario;
  const results = [];
  for (const viewers of scenario.viewers) {
    const relay = await startRelayServer(reader, { heartbeatMs: 15_000 });
    const jobId = `bench_${randomUUID().slice(0, 8)}`;
    const latencies: number[] = [];
    const before = await countCommands();
    const watching = Promise.all(
      Array.from({ length: viewers }, () =>
        viewer(`${relay.origin}/jobs/${jobId}/events`, latencies, scenario.quietMs !== undefined),
      ),
    );
    await new Promise((r) => setTimeout(r, 200 + (scenario.quietMs ?? 0)));
    for (let i = 0; i < EVENTS; i++) {
      await writer.append({ jobId, type: i === EVENTS - 1 ? "job.completed" : "step.progress", at: Date.now() });
      await new Promise((r) => setTimeout(r, SPACING_MS));
    }
    await watching;
    const commands = (await countCommands()) - before - EVENTS * writerCommandsPerEvent;
    await relay.close();
    const jobSeconds = (EVENTS * SPACING_MS) / 1000;
    results.push({
      viewers,
      p50Ms: round(percentile(latencies, 50)),
      p95Ms: round(percentile(latencies, 95)),
      p99Ms: round(percentile(latencies, 99)),
      received: latencies.length,
      commandsPerViewer: round(commands / viewers),
      commandsPerViewerPer60sJob: round((commands / viewers) * (60 / jobSeconds)),
    });
  }
  return { adapter: name, jobSeconds: (EVENTS * SPACING_MS) / 1000, events: EVENTS, results };
}

async function main() {
  const prefix = `bench-${randomUUID().slice(0, 6)}`;
  const admin = new Redis(REDIS_URL);
  const bridge = await startUpstashBridge(REDIS_URL);
  const tcpWriter = createRedisKv(REDIS_URL, { prefix });
  const tcpReader = createRedisKv(REDIS_URL, { prefix });
  const rest = createUpstashKv(bridge.url, bridge.token, { prefix });
  const restPoll = createUpstashKv(bridge.url, bridge.token, { prefix, push: false });
  // The writer appends over TCP: one EVAL whose script runs 4 commands (all counted by INFO), 0 on the bridge.
  const tcpCalls = () => redisCalls(admin);
  const bridgeCalls = async () => bridge.commands;
  const adapters: [string, ProgressKv, () => Promise<number>, number][] = [
    ["redis-tcp (pub/sub notified)", tcpReader, tcpCalls, 5],
    ["upstash-rest (REST subscribe push)", rest, bridgeCalls, 0],
    ["upstash-rest (adaptive poll: fallback, and before push)", restPoll, bridgeCalls, 0],
    ["naive 100 ms poll (baseline, redis-tcp)", naivePoll(tcpReader), tcpCalls, 5],
  ];
  const run = async (scenario: Scenario, names = adapters) => {
    const out = [];
    for (const [name, reader, calls, perEvent] of names) {
      out.push(await measure(name, reader, tcpWriter, calls, perEvent, scenario));
    }
    return out;
  };
  const latency = await run(LATENCY);
  const quiet = await run(QUIET, adapters.slice(0, 3));
  const cost = await run(COST);
  console.log(JSON.stringify({ latency, quiet, cost }, null, 2));
  await tcpWriter.close();
  await tcpReader.close();
  await bridge.close();
  admin.disconnect();
}

void main();
