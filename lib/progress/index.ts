import type { KvConfig } from "../env";
import type { ProgressKv } from "./kv";
import { createMemoryKv } from "./memory-kv";
import { createRedisKv } from "./redis-kv";
import { createUpstashKv } from "./upstash-kv";

/** The progress log adapter for this configuration (lib/services.ts builds the process's one). */
export function createProgressKv(config: KvConfig, options: { prefix?: string } = {}): ProgressKv {
  switch (config.kind) {
    case "upstash":
      return createUpstashKv(config.url, config.token, options);
    case "redis":
      return createRedisKv(config.url, options);
    case "memory":
      return createMemoryKv();
  }
}
