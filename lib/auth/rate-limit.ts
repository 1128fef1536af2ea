import { Redis as UpstashRedis } from "@upstash/redis";
import { Redis } from "ioredis";
import type { KvConfig } from "../env";

/** One fixed-window count: INCR, and the window's expiry set by the first hit. Atomic in Redis and Upstash alike. */
const HIT_SCRIPT = `
local n = redis.call("INCR", KEYS[1])
if n == 1 then redis.call("PEXPIRE", KEYS[1], ARGV[1]) end
return { n, redis.call("PTTL", KEYS[1]) }`;

export interface RateLimitRule {
  /** Attempts allowed per window. */
  limit: number;
  windowMs: number;
}

export interface RateLimitVerdict {
  allowed: boolean;
  /** Seconds until the window that refused this ends. */
  retryAfterSeconds: number;
}

/**
 * The auth state shared by every instance (Redis/Upstash when configured, else this process's memory): login
 * attempt counts and the session version that signing out bumps.
 */
export interface RateLimiter {
  kind: "redis" | "upstash" | "memory";
  /** Counts one attempt under `key` (e.g. `ip:1.2.3.4`, `global`). */
  hit(key: string, rule: RateLimitRule): Promise<RateLimitVerdict>;
  /** The current session version (0 until the first sign-out). */
  sessionVersion(): Promise<number>;
  /** Revokes every session issued so far; returns the new version. */
  revokeSessions(): Promise<number>;
}

const verdict = (count: number, ttlMs: number, rule: RateLimitRule): RateLimitVerdict => ({
  allowed: count <= rule.limit,
  retryAfterSeconds: Math.max(1, Math.ceil((ttlMs > 0 ? ttlMs : rule.windowMs) / 1000)),
});

/** In-process windows, bounded in count: one process only (development, single-instance self-hosting). */
export function createMemoryRateLimiter(now: () => number = Date.now, maxKeys = 10_000): RateLimiter {
  const windows = new Map<string, { count: number; resetAt: number }>();
  let version = 0;
  return {
    kind: "memory",
    sessionVersion: async () => version,
    revokeSessions: async () => ++version,
    async hit(key, rule) {
      const t = now();
      let window = windows.get(key);
      if (!window || window.resetAt <= t) {
        if (windows.size >= maxKeys) {
          for (const [k, w] of windows) if (w.resetAt <= t) windows.delete(k);
          // Still full of live windows (an address sweep): forget the oldest rather than grow.
          if (windows.size >= maxKeys) windows.delete(windows.keys().next().value ?? "");
        }
        window = { count: 0, resetAt: t + rule.windowMs };
        windows.set(key, window);
      }
      window.count++;
      return verdict(window.count, window.resetAt - t, rule);
    },
  };
}

const prefixed = (prefix: string, key: string) => `${prefix}ratelimit:${key}`;
const versionKey = (prefix: string) => `${prefix}session:version`;

export function createRedisRateLimiter(redis: Redis, prefix = "as:"): RateLimiter {
  return {
    kind: "redis",
    sessionVersion: async () => Number((await redis.get(versionKey(prefix))) ?? 0),
    revokeSessions: async () => redis.incr(versionKey(prefix)),
    async hit(key, rule) {
      const [count, ttl] = (await redis.eval(HIT_SCRIPT, 1, prefixed(prefix, key), rule.windowMs)) as [number, number];
      return verdict(count, ttl, rule);
    },
  };
}

export function createUpstashRateLimiter(redis: UpstashRedis, prefix = "as:"): RateLimiter {
  return {
    kind: "upstash",
    sessionVersion: async () => Number((await redis.get<string>(versionKey(prefix))) ?? 0),
    revokeSessions: async () => redis.incr(versionKey(prefix)),
    async hit(key, rule) {
      const [count, ttl] = await redis.eval<[string], [number, number]>(
        HIT_SCRIPT,
        [prefixed(prefix, key)],
        [String(rule.windowMs)],
      );
      return verdict(Number(count), Number(ttl), rule);
    },
  };
}

/** Shared by every instance when a Redis or Upstash KV is configured, else in memory. */
export function createRateLimiter(config: KvConfig, options: { prefix?: string } = {}): RateLimiter {
  switch (config.kind) {
    case "upstash":
      return createUpstashRateLimiter(
        new UpstashRedis({
          url: config.url,
          token: config.token,
          automaticDeserialization: false,
          enableTelemetry: false,
        }),
        options.prefix,
      );
    case "redis": {
      const redis = new Redis(config.url, { maxRetriesPerRequest: 1, connectTimeout: 2_000, commandTimeout: 2_000 });
      redis.on("error", () => undefined);
      return createRedisRateLimiter(redis, options.prefix);
    }
    case "memory":
      return createMemoryRateLimiter();
  }
}

/** Login attempts: per client address, and all together (a spread-out guess still meets the global cap). */
export const LOGIN_PER_ADDRESS: RateLimitRule = { limit: 10, windowMs: 15 * 60 * 1000 };
export const LOGIN_GLOBAL: RateLimitRule = { limit: 100, windowMs: 15 * 60 * 1000 };

/**
 * Counts one login attempt; refused when the address or everyone together is over the limit. Both windows are
 * counted on every attempt, so a refused burst keeps its address refused until its window ends.
 */
export async function loginAllowed(limiter: RateLimiter, address: string): Promise<RateLimitVerdict> {
  const [own, all] = await Promise.all([
    limiter.hit(`login:ip:${address}`, LOGIN_PER_ADDRESS),
    limiter.hit("login:global", LOGIN_GLOBAL),
  ]);
  if (!own.allowed) return own;
  return all;
}

/**
 * The client's address as the platform reports it: Vercel and reverse proxies put it first in X-Forwarded-For
 * (Vercel overwrites the header, so it cannot be forged there); `x-real-ip` is nginx's. Without either, one bucket.
 */
export function clientAddress(headers: Pick<Headers, "get">): string {
  const forwarded = headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  return (forwarded || headers.get("x-real-ip")?.trim() || "unknown").slice(0, 64);
}
