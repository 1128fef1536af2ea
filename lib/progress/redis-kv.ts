import { Redis } from "ioredis";
import { type ProgressEvent, progressSnapshotSchema } from "./events";
import { PROGRESS_TTL_SECONDS, type ProgressKv } from "./kv";
import { APPEND_SCRIPT, appendArgs, decodeEvents, keyScheme } from "./redis-scripts";

/** How long an idle channel subscription lingers, so a reader that reconnects at once does not resubscribe. */
const UNSUBSCRIBE_AFTER_MS = 10_000;

/**
 * Redis over TCP (self-hosting). Readers wait on a pub/sub notification sent by the append script:
 * no busy polling, so live latency is a round trip.
 */
export function createRedisKv(url: string, options: { prefix?: string } = {}): ProgressKv {
  const keys = keyScheme(options.prefix);
  // Fail fast while Redis is away (one reconnect attempt per command, then an error): progress writes are
  // best-effort and must never hold a job up for long.
  const redisOptions = {
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    commandTimeout: 2_000,
    retryStrategy: (times: number) => Math.min(times * 200, 2_000),
  };
  const redis = new Redis(url, redisOptions);
  let subscriber: Redis | undefined;
  const listeners = new Map<string, Set<() => void>>();
  const lingering = new Map<string, ReturnType<typeof setTimeout>>();
  // Errors surface on the commands; the connection's own error events would otherwise be unhandled.
  redis.on("error", () => undefined);

  const sub = (): Redis => {
    if (!subscriber) {
      subscriber = new Redis(url, { ...redisOptions, maxRetriesPerRequest: null, commandTimeout: undefined });
      subscriber.on("error", () => undefined);
      subscriber.on("message", (channel: string) => {
        for (const wake of listeners.get(channel) ?? []) wake();
      });
    }
    return subscriber;
  };

  async function listen(channel: string, wake: () => void): Promise<void> {
    const timer = lingering.get(channel);
    if (timer) {
      clearTimeout(timer);
      lingering.delete(channel);
    }
    let set = listeners.get(channel);
    if (!set) {
      set = new Set();
      listeners.set(channel, set);
      set.add(wake);
      await sub().subscribe(channel);
      return;
    }
    set.add(wake);
  }

  function unlisten(channel: string, wake: () => void): void {
    const set = listeners.get(channel);
    set?.delete(wake);
    if (set && set.size === 0 && !lingering.has(channel)) {
      lingering.set(
        channel,
        setTimeout(() => {
          lingering.delete(channel);
          if (listeners.get(channel)?.size === 0) {
            listeners.delete(channel);
            void subscriber?.unsubscribe(channel).catch(() => undefined);
          }
        }, UNSUBSCRIBE_AFTER_MS),
      );
    }
  }

  return {
    kind: "redis",
    async append(input) {
      const { jobId } = input;
      const seq = Number(
        await redis.eval(
          APPEND_SCRIPT,
          1,
          keys.events(jobId),
          ...appendArgs(JSON.stringify(input), keys.channel(jobId)),
        ),
      );
      if (seq === 0) throw new Error(`progress log of ${jobId} is full`);
      return { ...input, seq } satisfies ProgressEvent;
    },
    async readAfter(jobId, after, limit = 500) {
      const raw = await redis.lrange(keys.events(jobId), after, after + limit - 1);
      return decodeEvents(raw, after);
    },
    async waitForEvents(jobId, after, timeoutMs, signal) {
      if (signal?.aborted) return [];
      const channel = keys.channel(jobId);
      let wake = () => {};
      const woke = new Promise<void>((resolve) => {
        wake = resolve;
      });
      await listen(channel, wake);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const onAbort = () => wake();
      try {
        // Checked after subscribing, so an append between the caller's read and now is not missed.
        if ((await redis.llen(keys.events(jobId))) > after || signal?.aborted) return [];
        signal?.addEventListener("abort", onAbort, { once: true });
        await Promise.race([
          woke,
          new Promise<void>((resolve) => {
            timer = setTimeout(resolve, timeoutMs);
          }),
        ]);
      } finally {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        unlisten(channel, wake);
      }
      return [];
    },
    async liveMode() {
      return "push";
    },
    async count(jobId) {
      return redis.llen(keys.events(jobId));
    },
    async getSnapshot(jobId) {
      const raw = await redis.get(keys.snapshot(jobId));
      return raw ? progressSnapshotSchema.parse(JSON.parse(raw)) : null;
    },
    async setSnapshot(snapshot) {
      await redis.set(keys.snapshot(snapshot.jobId), JSON.stringify(snapshot), "EX", PROGRESS_TTL_SECONDS);
    },
    async remove(jobIds) {
      if (jobIds.length === 0) return;
      await redis.del(...jobIds.flatMap((id) => [keys.events(id), keys.snapshot(id)]));
    },
    async ping() {
      return (await redis.ping()) === "PONG";
    },
    async close() {
      for (const timer of lingering.values()) clearTimeout(timer);
      lingering.clear();
      redis.disconnect();
      subscriber?.disconnect();
    },
  };
}
