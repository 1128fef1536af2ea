import { Redis } from "@upstash/redis";
import { type ProgressEvent, progressSnapshotSchema } from "./events";
import { type LiveMode, PROGRESS_TTL_SECONDS, type ProgressKv } from "./kv";
import { APPEND_SCRIPT, appendArgs, decodeEvents, keyScheme, parseNotification } from "./redis-scripts";
import { subscribeRest } from "./upstash-subscribe";
import { sleep, waitForSignal } from "./wait";

/** Poll intervals when no subscription can be opened: fast right after an event, backing off past 1 s when idle. */
const POLL_STEPS_MS = [150, 300, 600, 1_000, 1_500];
/** With a subscription, the log is still checked after this long without a message, in case one was missed. */
export const SAFETY_POLL_MS = 10_000;
/** A subscription not confirmed within this long counts as failed: the reader polls instead. */
const SUBSCRIBE_CONFIRM_MS = 3_000;
/** After a failed subscription, readers poll for this long before trying to subscribe again. */
const PUSH_RETRY_AFTER_MS = 60_000;
/** Pushed events kept for a reader that has not taken them yet; past that it reads the log. */
const MAX_PUSHED = 500;

export interface UpstashKvOptions {
  prefix?: string;
  /** false: never subscribe, poll only (the fallback mode, also the baseline in bench:relay). */
  push?: boolean;
  safetyPollMs?: number;
}

/**
 * One reader's subscription to one job's channel (Upstash streams SUBSCRIBE over REST as an event stream).
 * It lives as long as the reader (an SSE response) and holds only what the append script pushed, until taken.
 */
interface Follower {
  /** true once the subscription is confirmed and the log length read behind it; false when it failed. */
  ready: Promise<boolean>;
  /** "dropped": it was ready and the stream ended; its readers poll and the next wait subscribes again. */
  state: "pending" | "ready" | "failed" | "dropped";
  /** Highest seq known to exist (from the log length or a notification). */
  known: number;
  pushed: ProgressEvent[];
  /** When the log was last known to be complete up to `known`: a message or a read. */
  checkedAt: number;
  changed: Set<() => void>;
  close(): void;
}

/**
 * Upstash / Vercel KV over REST. Same keys and script as the TCP adapter, so either can read what the other wrote.
 * Automatic deserialization is off so values come back as the strings that were stored, as with ioredis.
 * Live reads are woken by a REST subscription to the job's channel, one per reader, with a slow safety poll;
 * when a subscription cannot be opened the adapter polls adaptively and says so in `liveMode()`.
 */
export function createUpstashKv(url: string, token: string, options: UpstashKvOptions = {}): ProgressKv {
  const keys = keyScheme(options.prefix);
  const redis = new Redis({ url, token, automaticDeserialization: false, enableTelemetry: false });
  const safetyPollMs = options.safetyPollMs ?? SAFETY_POLL_MS;
  const pushEnabled = options.push ?? true;
  let pollUntil = 0;
  let lastSubscribe: boolean | undefined;
  /** Followers by reader: a reader's signal closes its subscriptions when it aborts. */
  const followers = new WeakMap<AbortSignal, Map<string, Follower>>();

  const llen = (jobId: string) => redis.llen(keys.events(jobId));

  function openFollower(jobId: string): Follower {
    const channel = keys.channel(jobId);
    let settle: (ok: boolean) => void = () => undefined;
    const follower: Follower = {
      ready: new Promise<boolean>((resolve) => {
        settle = resolve;
      }),
      state: "pending",
      known: 0,
      pushed: [],
      checkedAt: Date.now(),
      changed: new Set(),
      close: () => {
        follower.changed.clear();
        clearTimeout(timer);
        subscription.close();
      },
    };
    const notify = () => {
      for (const wake of follower.changed) wake();
    };
    const resolve = (ok: boolean) => {
      clearTimeout(timer);
      if (follower.state === "pending") follower.state = ok ? "ready" : "failed";
      settle(ok);
    };
    const timer = setTimeout(() => resolve(false), SUBSCRIBE_CONFIRM_MS);
    const subscription = subscribeRest(url, token, channel, {
      onSubscribed: () => {
        // Read behind the confirmed subscription: an append between the caller's read and now is counted here,
        // and every later one arrives as a message.
        llen(jobId).then(
          (length) => {
            follower.known = Math.max(follower.known, length);
            follower.checkedAt = Date.now();
            resolve(true);
          },
          () => resolve(false),
        );
      },
      onMessage: (message) => {
        const note = parseNotification(message);
        if (!note) return;
        follower.checkedAt = Date.now();
        if (note.event && follower.pushed.length < MAX_PUSHED) follower.pushed.push(note.event);
        follower.known = Math.max(follower.known, note.seq);
        notify();
      },
      onEnd: () => {
        // Failed to open, or dropped once open: either way its readers must not wait on it a moment longer.
        if (follower.state === "ready") follower.state = "dropped";
        resolve(false);
        notify();
      },
    });
    return follower;
  }

  /** The reader's follower for this job, opened on its first wait and closed when its signal aborts. */
  function followerFor(jobId: string, signal: AbortSignal | undefined): { follower: Follower; owned: boolean } {
    if (!signal) return { follower: openFollower(jobId), owned: true };
    let byJob = followers.get(signal);
    if (!byJob) {
      const map = new Map<string, Follower>();
      byJob = map;
      followers.set(signal, map);
      signal.addEventListener(
        "abort",
        () => {
          for (const f of map.values()) f.close();
          map.clear();
        },
        { once: true },
      );
    }
    const existing = byJob.get(jobId);
    if (existing) return { follower: existing, owned: false };
    const follower = openFollower(jobId);
    byJob.set(jobId, follower);
    return { follower, owned: false };
  }

  /** Pushed events right after `after`, without gaps; [] when the reader must read the log instead. */
  function take(follower: Follower, after: number): ProgressEvent[] {
    const pending = follower.pushed.filter((event) => event.seq > after);
    follower.pushed = pending;
    const run: ProgressEvent[] = [];
    for (const event of pending) {
      if (event.seq !== after + run.length + 1) break;
      run.push(event);
    }
    return run;
  }

  async function waitPushed(
    follower: Follower,
    jobId: string,
    after: number,
    deadline: number,
    signal?: AbortSignal,
  ): Promise<ProgressEvent[]> {
    while (!signal?.aborted && follower.state === "ready") {
      if (follower.known > after) return take(follower, after);
      const now = Date.now();
      if (now >= deadline) return [];
      const sinceCheck = now - follower.checkedAt;
      if (sinceCheck >= safetyPollMs) {
        follower.known = Math.max(follower.known, await llen(jobId));
        follower.checkedAt = Date.now();
        continue;
      }
      await waitForSignal(
        (wake) => {
          follower.changed.add(wake);
          return () => follower.changed.delete(wake);
        },
        Math.min(deadline - now, safetyPollMs - sinceCheck),
        signal,
      );
    }
    return [];
  }

  async function waitPolling(jobId: string, after: number, deadline: number, signal?: AbortSignal) {
    for (let i = 0; !signal?.aborted && Date.now() < deadline; i++) {
      const wait = Math.min(pollStep(i), deadline - Date.now());
      await sleep(wait, signal);
      if ((await llen(jobId)) > after) return;
    }
  }

  async function subscribeWorks(): Promise<boolean> {
    const follower = openFollower(`health-${Date.now()}`);
    try {
      return await follower.ready;
    } finally {
      follower.close();
    }
  }

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
      if (signal?.aborted) return [];
      const deadline = Date.now() + timeoutMs;
      if (pushEnabled && Date.now() >= pollUntil) {
        const { follower, owned } = followerFor(jobId, signal);
        try {
          // Poll while the subscription opens (a slow open must not hold the first events back).
          for (let i = 0; follower.state === "pending" && !signal?.aborted && Date.now() < deadline; i++) {
            await waitForSignal(
              (wake) => {
                void follower.ready.then(wake);
                return () => undefined;
              },
              Math.min(pollStep(i), deadline - Date.now()),
              signal,
            );
            if (follower.state === "pending" && (await llen(jobId)) > after) return [];
          }
          // Timed out or aborted while the subscription is still being opened: the caller reads and comes back.
          if (follower.state === "pending") return [];
          if (follower.state === "ready" || follower.state === "dropped") lastSubscribe = true;
          if (follower.state === "ready") {
            const events = await waitPushed(follower, jobId, after, deadline, signal);
            if (follower.state === "ready" || events.length > 0 || signal?.aborted) return events;
          } else if (follower.state === "failed") {
            // The subscription could not be opened (REST streaming refused or unreachable): poll for a while.
            lastSubscribe = false;
            pollUntil = Date.now() + PUSH_RETRY_AFTER_MS;
          }
          // Dropped or failed: forgotten, so this reader polls now and its next wait subscribes again.
          follower.close();
          if (signal && followers.get(signal)?.get(jobId) === follower) followers.get(signal)?.delete(jobId);
        } finally {
          if (owned) follower.close();
        }
      }
      await waitPolling(jobId, after, deadline, signal);
      return [];
    },
    async liveMode(): Promise<LiveMode> {
      if (!pushEnabled || Date.now() < pollUntil) return "poll";
      // Not known yet (or the last attempt failed and its poll period is over): find out with one subscription.
      if (lastSubscribe !== true) {
        lastSubscribe = await subscribeWorks();
        if (!lastSubscribe) pollUntil = Date.now() + PUSH_RETRY_AFTER_MS;
      }
      return lastSubscribe ? "push" : "poll";
    },
    async count(jobId) {
      return llen(jobId);
    },
    async getSnapshot(jobId) {
      const raw = await redis.get<string>(keys.snapshot(jobId));
      return raw ? progressSnapshotSchema.parse(JSON.parse(raw)) : null;
    },
    async setSnapshot(snapshot) {
      await redis.set(keys.snapshot(snapshot.jobId), JSON.stringify(snapshot), { ex: PROGRESS_TTL_SECONDS });
    },
    async remove(jobIds) {
      if (jobIds.length === 0) return;
      await redis.del(...jobIds.flatMap((id) => [keys.events(id), keys.snapshot(id)]));
    },
    async ping() {
      return (await redis.ping()) === "PONG";
    },
    async close() {},
  };
}

const pollStep = (i: number): number => POLL_STEPS_MS[Math.min(i, POLL_STEPS_MS.length - 1)] ?? 1_000;
