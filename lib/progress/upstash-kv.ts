import { Redis } from "@upstash/redis";
import { type ProgressEvent, progressSnapshotSchema } from "./events";
import { PROGRESS_TTL_SECONDS, type ProgressKv } from "./kv";
import { APPEND_SCRIPT, appendArgs, decodeEvents, keyScheme } from "./redis-scripts";
import { sleep } from "./wait";

/** Poll intervals for REST, where there is no push: fast right after an event, backing off past 1 s when idle. */
const POLL_STEPS_MS = [150, 300, 600, 1_000, 1_500];

/**
 * Upstash / Vercel KV over REST. Same keys and script as the TCP adapter, so either can read what the other wrote.
 * Automatic deserialization is off so values come back as the strings that were stored, as with ioredis.
 */
export function createUpstashKv(url: string, token: string, options: { prefix?: string } = {}): ProgressKv {
  const keys = keyScheme(options.prefix);
  const redis = new Redis({ url, token, automaticDeserialization: false, enableTelemetry: false });

  return {
    kind: "upstash",
    async append(input) {
      const { jobId } = input;
      const seq = Number(
        await redis.eval(APPEND_SCRIPT, [keys.events(jobId)], appendArgs(JSON.stringify(input), keys.channel(jobId))),
      );
      if (seq === 0) throw new Error(`progress log of ${jobId} is full`);
      return { ...input, seq } satisfies ProgressEvent;
    },
    async readAfter(jobId, after, limit = 500) {
      const raw = await redis.lrange<string>(keys.events(jobId), after, after + limit - 1);
      return decodeEvents(raw, after);
    },
    async waitForEvents(jobId, after, timeoutMs, signal) {
      const deadline = Date.now() + timeoutMs;
      for (let i = 0; !signal?.aborted && Date.now() < deadline; i++) {
        const wait = Math.min(POLL_STEPS_MS[Math.min(i, POLL_STEPS_MS.length - 1)] ?? 1_000, deadline - Date.now());
        await sleep(wait, signal);
        if ((await redis.llen(keys.events(jobId))) > after) return;
      }
    },
    async count(jobId) {
      return redis.llen(keys.events(jobId));
    },
    async getSnapshot(jobId) {
      const raw = await redis.get<string>(keys.snapshot(jobId));
      return raw ? progressSnapshotSchema.parse(JSON.parse(raw)) : null;
    },
    async setSnapshot(snapshot) {
      await redis.set(keys.snapshot(snapshot.jobId), JSON.stringify(snapshot), { ex: PROGRESS_TTL_SECONDS });
    },
    async ping() {
      return (await redis.ping()) === "PONG";
    },
    async close() {},
  };
}
