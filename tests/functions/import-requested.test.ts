import { InngestTestEngine } from "@inngest/test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createImportRequested } from "@/inngest/functions/import-requested";
import { parseConfig } from "@/lib/env";
import { createImport, DEFAULT_THROTTLE, type ImportServices } from "@/lib/import/service";
import type { JobRunner } from "@/lib/jobs/runner";
import { createLogger } from "@/lib/log";
import { createMemoryKv } from "@/lib/progress/memory-kv";
import { createPostgresExecutor } from "@/lib/store/sql";
import { createSqlStore } from "@/lib/store/sql-store";
import type { Store } from "@/lib/store/store";
import { freshDatabase } from "../helpers/app-server";
import { serviceAvailable } from "../helpers/services";

const postgresUp = await serviceAvailable("postgres");

/** The import-requested function under @inngest/test: its durable steps, on PostgreSQL, with a runner that records. */
describe.skipIf(!postgresUp)("import-requested (Inngest function)", () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let store: Store;
  let services: ImportServices;
  const dispatched: string[] = [];
  beforeAll(async () => {
    db = await freshDatabase();
    store = await createSqlStore(createPostgresExecutor(db.url, { poolMax: 2 }));
    const runner: JobRunner = {
      kind: "inngest",
      async dispatch(job) {
        dispatched.push(job.jobId);
        // The job runs and ends at once, freeing its host's slot for the next round's look.
        await store.updateJob(job.jobId, { status: "completed" });
      },
      async cancel() {},
      async ping() {
        return true;
      },
    };
    services = {
      store,
      kv: createMemoryKv(),
      runner,
      now: Date.now,
      config: parseConfig({}),
      logger: createLogger({ level: "error" }),
    };
  });
  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  it("expands 250 entries per step, hands the jobs over in dispatch rounds, then finishes", async () => {
    // IP literals: validated without DNS (public addresses; nothing is fetched, the runner only records).
    const entries = Array.from({ length: 300 }, (_, i) => ({
      url: `http://93.184.216.${(i % 3) + 1}/story/${i}`,
      tags: [],
      state: "inbox" as const,
    }));
    entries.push({ url: "http://127.0.0.1/admin", tags: [], state: "inbox" });
    const record = await createImport(
      { format: "urls", bytes: 0, entries },
      "list.txt",
      services,
      async () => undefined,
    );
    const engine = new InngestTestEngine({
      function: createImportRequested(async () => services, { ...DEFAULT_THROTTLE, pollMs: 5, roundMs: 60_000 }),
      events: [{ name: "import/requested", data: { importId: record.id } }],
    });
    const { error, ctx } = await engine.execute();
    expect(error).toBeUndefined();
    const ids = ctx.step.run.mock.calls.map((call) => call[0]);
    expect(ids).toEqual(["expand:0", "expand:1", "expand:2", "dispatch:0", "finish"]);
    const report = await store.getImportReport(record.id);
    expect(report).toMatchObject({
      status: "completed",
      counts: { pending: 0, queued: 300, refused: 1, dispatched: 300 },
      jobs: { completed: 300 },
    });
    expect(report?.refused[0]).toMatchObject({ position: 300, reason: "blocked_url" });
    expect(new Set(dispatched).size).toBe(300);
  });
});
