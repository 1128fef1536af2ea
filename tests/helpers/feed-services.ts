import { parseConfig } from "@/lib/env";
import type { FeedServices } from "@/lib/feeds/poll";
import type { JobDispatch, JobRunner } from "@/lib/jobs/runner";
import { createLogger, type LogRecord } from "@/lib/log";
import { createSafeFetch } from "@/lib/net/safe-fetch";
import type { Resolver } from "@/lib/net/types";
import { createMemoryKv } from "@/lib/progress/memory-kv";
import { createPgliteExecutor } from "@/lib/store/sql";
import { createSqlStore } from "@/lib/store/sql-store";
import type { Store } from "@/lib/store/store";

export interface FeedTestServices extends FeedServices {
  /** Jobs handed to the runner, in order. */
  dispatched: JobDispatch[];
  logs: LogRecord[];
}

/**
 * What polling needs, for tests and the bench: a store (PGlite in memory unless given), memory KV, the real guarded
 * fetcher allowing the loopback feed server, and a runner that only records the jobs it is handed.
 */
export async function feedServices(
  allow: string[],
  options: { store?: Store; resolver?: Resolver } = {},
): Promise<FeedTestServices> {
  const store = options.store ?? (await createSqlStore(await createPgliteExecutor("memory://")));
  const dispatched: JobDispatch[] = [];
  const runner: JobRunner = {
    kind: "inline",
    async dispatch(job) {
      dispatched.push(job);
    },
    async cancel() {},
    ping: async () => true,
  };
  const logs: LogRecord[] = [];
  return {
    store,
    kv: createMemoryKv(),
    runner,
    now: Date.now,
    config: parseConfig({ FETCH_ALLOWLIST: allow.join(",") }),
    logger: createLogger({ level: "debug", sink: (r) => logs.push(r) }),
    fetch: createSafeFetch({ allowlist: allow, ...(options.resolver ? { resolver: options.resolver } : {}) }),
    dispatched,
    logs,
  };
}
