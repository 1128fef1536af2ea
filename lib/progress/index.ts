import type { KvConfig } from "../env";
import type { ProgressKv } from "./kv";
import { createMemoryKv } from "./memory-kv";
import { createRedisKv } from "./redis-kv";
import { createUpstashKv } from "./upstash-kv";

const shared = globalThis as typeof globalThis & { __articleSummarizerMemoryKv?: ProgressKv };

/** The progress log adapter for this configuration. Memory is one per process, shared by routes and the runner. */
export function createProgressKv(config: KvConfig, options: { prefix?: string } = {}): ProgressKv {
  switch (config.kind) {
    case "upstash":
      return createUpstashKv(config.url, config.token, options);
    case "redis":
      return createRedisKv(config.url, options);
    case "memory":
      shared.__articleSummarizerMemoryKv ??= createMemoryKv();
      return shared.__articleSummarizerMemoryKv;
  }
}
