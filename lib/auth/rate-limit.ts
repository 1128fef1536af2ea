import { Redis as UpstashRedis } from "@upstash/redis";
import { Redis } from "ioredis";
import type { KvConfig } from "../env";
import type { Logger } from "../log";

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
 * Login attempt counts shared by every instance (Redis/Upstash when configured, else this process's memory). The
 * session version is not here: it lives in the Store (a KV flush must not revive revoked cookies).
 */
export interface RateLimiter {
  kind: "redis" | "upstash" | "memory";
  /** Counts one attempt under `key` (e.g. `ip:1.2.3.4`, `global`). */
  hit(key: string, rule: RateLimitRule): Promise<RateLimitVerdict>;
  /** The count under `key` in its current window, not counting this look. */
  peek(key: string): Promise<number>;
  /** Forgets `key`'s window. */
  reset(key: string): Promise<void>;
  /** True while a shared KV is failing and this process counts in memory instead (reported by /api/health). */
  readonly fallback?: boolean;
}

const verdict = (count: number, ttlMs: number, rule: RateLimitRule): RateLimitVerdict => ({
  allowed: count <= rule.limit,
  retryAfterSeconds: Math.max(1, Math.ceil((ttlMs > 0 ? ttlMs : rule.windowMs) / 1000)),
});

/** In-process windows, bounded in count: one process only (development, single-instance self-hosting). */
export function createMemoryRateLimiter(now: () => number = Date.now, maxKeys = 10_000): RateLimiter {
  const windows = new Map<string, { count: number; resetAt: number }>();
  return {
    kind: "memory",
    async peek(key) {
      const window = windows.get(key);
      return window && window.resetAt > now() ? window.count : 0;
    },
    async reset(key) {
      windows.delete(key);
    },
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

export function createRedisRateLimiter(redis: Redis, prefix = "as:"): RateLimiter {
  return {
    kind: "redis",
    peek: async (key) => Number((await redis.get(prefixed(prefix, key))) ?? 0),
    reset: async (key) => void (await redis.del(prefixed(prefix, key))),
    async hit(key, rule) {
      const [count, ttl] = (await redis.eval(HIT_SCRIPT, 1, prefixed(prefix, key), rule.windowMs)) as [number, number];
      return verdict(count, ttl, rule);
    },
  };
}

export function createUpstashRateLimiter(redis: UpstashRedis, prefix = "as:"): RateLimiter {
  return {
    kind: "upstash",
    peek: async (key) => Number((await redis.get<string>(prefixed(prefix, key))) ?? 0),
    reset: async (key) => void (await redis.del(prefixed(prefix, key))),
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

/**
 * Shared by every instance when a Redis or Upstash KV is configured, else in memory. A shared limiter that fails
 * falls back to this process's memory (sign-in keeps working during a KV outage), logged once per outage and
 * reported by /api/health until the KV answers again.
 */
export function createRateLimiter(
  config: KvConfig,
  options: { prefix?: string; logger?: Pick<Logger, "warn" | "info"> } = {},
): RateLimiter {
  const shared = sharedLimiter(config, options);
  return shared.kind === "memory" ? shared : withMemoryFallback(shared, createMemoryRateLimiter(), options.logger);
}

/** A shared limiter that answers from memory while it fails. */
export function withMemoryFallback(
  shared: RateLimiter,
  memory: RateLimiter,
  logger?: Pick<Logger, "warn" | "info">,
): RateLimiter {
  let failing = false;
  const attempt = async <T>(shared: () => Promise<T>, local: () => Promise<T>): Promise<T> => {
    try {
      const value = await shared();
      if (failing) logger?.info("login limiter: the KV answers again; counting there");
      failing = false;
      return value;
    } catch (error) {
      if (!failing) logger?.warn("login limiter: the KV failed; counting in this process's memory", { error });
      failing = true;
      return local();
    }
  };
  return {
    kind: shared.kind,
    get fallback() {
      return failing;
    },
    hit: (key, rule) =>
      attempt(
        () => shared.hit(key, rule),
        () => memory.hit(key, rule),
      ),
    peek: (key) =>
      attempt(
        () => shared.peek(key),
        () => memory.peek(key),
      ),
    reset: (key) =>
      attempt(
        () => shared.reset(key),
        () => memory.reset(key),
      ),
  };
}

function sharedLimiter(config: KvConfig, options: { prefix?: string }): RateLimiter {
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

/**
 * Login attempts per client address (every attempt counts, a success clears it), and failed attempts of everyone
 * together. The global count never locks out a client that has not failed: while it is over its limit, only
 * addresses with a failure of their own in the window are refused, so a distributed guess gets one try per address
 * and the admin still signs in.
 */
export const LOGIN_PER_ADDRESS: RateLimitRule = { limit: 10, windowMs: 15 * 60 * 1000 };
export const LOGIN_GLOBAL: RateLimitRule = { limit: 100, windowMs: 15 * 60 * 1000 };
const failureRule: RateLimitRule = { limit: LOGIN_PER_ADDRESS.limit, windowMs: LOGIN_PER_ADDRESS.windowMs };

/** Counts one login attempt from `address`; refused when the address is over its limit, or has failed while everyone is. */
export async function loginAllowed(limiter: RateLimiter, address: string): Promise<RateLimitVerdict> {
  const [own, failedHere, failedAll] = await Promise.all([
    limiter.hit(`login:ip:${address}`, LOGIN_PER_ADDRESS),
    limiter.peek(`login:fail:${address}`),
    limiter.peek("login:fail:global"),
  ]);
  if (!own.allowed) return own;
  if (failedAll >= LOGIN_GLOBAL.limit && failedHere > 0) {
    return { allowed: false, retryAfterSeconds: Math.ceil(LOGIN_GLOBAL.windowMs / 1000) };
  }
  return own;
}

/** A wrong password from `address`: counted for the address and for everyone. */
export async function loginFailed(limiter: RateLimiter, address: string): Promise<void> {
  await Promise.all([
    limiter.hit(`login:fail:${address}`, failureRule),
    limiter.hit("login:fail:global", LOGIN_GLOBAL),
  ]);
}

/** A signed-in address starts again (its own attempts only; failures of everyone stay counted). */
export async function loginSucceeded(limiter: RateLimiter, address: string): Promise<void> {
  await Promise.all([limiter.reset(`login:ip:${address}`), limiter.reset(`login:fail:${address}`)]);
}

/** The request header lib/auth/peer-address.ts sets from the TCP socket (any value a client sent is replaced). */
export const PEER_ADDRESS_HEADER = "x-as-peer-address";

/**
 * The client's address for the limiter. With no trusted proxy (TRUSTED_PROXY unset), X-Forwarded-For is the
 * client's to write and is ignored: the socket's address, as the server saw it. Behind `hops` proxies that each
 * append the address they saw (Vercel overwrites the header with the client's: TRUSTED_PROXY=1), the entry `hops`
 * from the right is the client as the outermost trusted proxy saw it.
 */
export function clientAddress(headers: Pick<Headers, "get">, trustedProxyHops = 0): string {
  if (trustedProxyHops > 0) {
    const hops = (headers.get("x-forwarded-for") ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    const address = hops[hops.length - trustedProxyHops] ?? hops[0];
    if (address) return address.slice(0, 64);
  }
  return (headers.get(PEER_ADDRESS_HEADER)?.trim() || "unknown").slice(0, 64);
}
