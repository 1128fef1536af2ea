import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "@/lib/env";
import type { ImportEntry } from "@/lib/import/formats";
import { createInlineImportRunner } from "@/lib/import/inline";
import {
  createImport,
  DEFAULT_THROTTLE,
  dispatchRound,
  type ImportServices,
  type ImportThrottle,
  runImport,
} from "@/lib/import/service";
import type { JobDispatch, JobRunner } from "@/lib/jobs/runner";
import { createLogger } from "@/lib/log";
import type { Resolver } from "@/lib/net/types";
import { createMemoryKv } from "@/lib/progress/memory-kv";
import { createPostgresExecutor } from "@/lib/store/sql";
import { createSqlStore } from "@/lib/store/sql-store";
import type { Store } from "@/lib/store/store";
import { freshDatabase } from "../helpers/app-server";
import { serviceAvailable } from "../helpers/services";
import { article } from "./store-fixtures";

const postgresUp = await serviceAvailable("postgres");

/** DNS without the network: every name is public except private.example. */
const resolver: Resolver = async (hostname) => [
  { address: hostname === "private.example" ? "10.0.0.5" : "93.184.216.34", family: 4 },
];

/** A runner that only records what it was handed; tests decide when each job runs and ends. */
function recordingRunner(store: Store) {
  const dispatched: string[] = [];
  const runner: JobRunner = {
    kind: "inline",
    async dispatch(job: JobDispatch) {
      dispatched.push(job.jobId);
      await store.updateJob(job.jobId, { status: "running" });
    },
    async cancel() {},
    async ping() {
      return true;
    },
  };
  return { runner, dispatched };
}

const entry = (url: string, extra: Partial<ImportEntry> = {}): ImportEntry => ({
  url,
  tags: [],
  state: "inbox",
  ...extra,
});

describe.skipIf(!postgresUp)("imports on PostgreSQL", () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let store: Store;
  const logger = createLogger({ level: "error" });
  const config = parseConfig({ LOG_LEVEL: "error" });

  beforeAll(async () => {
    db = await freshDatabase();
    store = await createSqlStore(createPostgresExecutor(db.url, { poolMax: 4 }));
  });
  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  const servicesWith = (runner: JobRunner): ImportServices => ({
    store,
    kv: createMemoryKv(),
    runner,
    now: Date.now,
    config,
    logger,
  });
  const launchNothing = async () => undefined;
  const inlineSteps = { run: <T>(_id: string, fn: () => Promise<T>) => fn() };
  const fast: ImportThrottle = { ...DEFAULT_THROTTLE, pollMs: 20, roundMs: 5_000 };

  it("dedupes by canonical URL (in the file, in the library, an active job) and names every refusal", async () => {
    const { runner, dispatched } = recordingRunner(store);
    const services = servicesWith(runner);
    const existing = await store.upsertArticle(article({ url: "https://library.example/read" }));
    const active = await store.createJob({
      id: "job_activeactiveactive01",
      url: "https://busy.example/now",
      canonicalUrl: "https://busy.example/now",
      force: false,
    });
    const record = await createImport(
      {
        format: "urls",
        bytes: 0,
        entries: [
          entry("https://new.example/a?utm_source=pocket"),
          entry("https://new.example/a#section"),
          entry("https://library.example/read"),
          entry("https://busy.example/now"),
          entry("not a url"),
          entry("http://private.example/admin"),
          entry("http://169.254.169.254/latest/meta-data"),
          entry("ftp://files.example/x"),
        ],
      },
      "list.txt",
      services,
      launchNothing,
    );
    await runImport(record.id, inlineSteps, services, fast, { resolver });
    const report = await store.getImportReport(record.id);
    expect(report).toMatchObject({
      status: "completed",
      total: 8,
      counts: { pending: 0, queued: 1, duplicate: 3, refused: 4, dispatched: 1 },
    });
    expect(report?.duplicates.map((d) => [d.position, d.reason])).toEqual([
      [1, "in_file"],
      [2, "in_library"],
      [3, "active_job"],
    ]);
    expect(report?.duplicates[1]?.articleId).toBe(existing.id);
    expect(report?.duplicates[2]?.jobId).toBe(active.job.id);
    expect(report?.refused.map((r) => [r.position, r.reason])).toEqual([
      [4, "invalid_url"],
      [5, "blocked_url"],
      [6, "blocked_url"],
      [7, "blocked_url"],
    ]);
    expect(dispatched).toHaveLength(1);
  });

  it("a job the runner refuses ends dispatch_failed with its terminal event, and the import goes on", async () => {
    const { runner: recording, dispatched } = recordingRunner(store);
    const runner: JobRunner = {
      ...recording,
      async dispatch(job) {
        if (job.url.endsWith("/refused")) throw new Error("connect ECONNREFUSED 127.0.0.1:8288");
        await recording.dispatch(job);
      },
    };
    const services = servicesWith(runner);
    const record = await createImport(
      { format: "urls", bytes: 0, entries: [entry("https://down.example/refused"), entry("https://down.example/ok")] },
      "list.txt",
      services,
      launchNothing,
    );
    await runImport(record.id, inlineSteps, services, fast, { resolver });
    expect(dispatched).toHaveLength(1);
    const refused = (await store.listJobs({ status: "failed" })).find((j) => j.url === "https://down.example/refused");
    expect(refused).toMatchObject({ reason: "dispatch_failed" });
    const log = await services.kv.readAfter(refused?.id ?? "", 0, 100);
    expect(log.at(-1)).toMatchObject({ type: "job.failed", reason: "dispatch_failed" });
  });

  it("hands jobs over at most `perHost` per host and `overall` at once, in file order", async () => {
    const { runner, dispatched } = recordingRunner(store);
    const services = servicesWith(runner);
    const urls = [
      ...Array.from({ length: 8 }, (_, i) => `https://a.example/${i}`),
      ...Array.from({ length: 4 }, (_, i) => `https://b.example/${i}`),
      ...Array.from({ length: 4 }, (_, i) => `https://c.example/${i}`),
    ];
    const record = await createImport(
      { format: "urls", bytes: 0, entries: urls.map((u) => entry(u)) },
      null,
      services,
      launchNothing,
    );
    const throttle: ImportThrottle = { ...fast, perHost: 2, overall: 3 };
    const run = runImport(record.id, inlineSteps, services, throttle, { resolver });
    // The "site": after giving the dispatcher a few polls to fill the free slots, finishes the oldest running job.
    // What runs at once is counted at each hand-over.
    let maxPerHost = 0;
    let maxOverall = 0;
    const finished = new Set<string>();
    const hostOf = new Map<string, string>();
    let seen = 0;
    while (finished.size < urls.length) {
      await new Promise((r) => setTimeout(r, 4 * throttle.pollMs));
      for (; seen < dispatched.length; seen++) {
        const id = dispatched[seen] as string;
        hostOf.set(id, new URL((await store.getJob(id))?.url ?? "http://none").host);
        const running = dispatched.slice(0, seen + 1).filter((d) => !finished.has(d));
        const onHost = running.filter((d) => hostOf.get(d) === hostOf.get(id)).length;
        maxPerHost = Math.max(maxPerHost, onHost);
        maxOverall = Math.max(maxOverall, running.length);
      }
      const oldest = dispatched.find((d) => !finished.has(d));
      if (oldest) {
        await store.updateJob(oldest, { status: "completed" });
        finished.add(oldest);
      }
    }
    await run;
    expect(maxPerHost).toBe(2);
    expect(maxOverall).toBe(3);
    const order = await Promise.all(dispatched.map((id) => store.getJob(id)));
    // a.example's first two go first; b and c fill the third slot before a's later entries.
    expect(order.slice(0, 3).map((job) => job?.url)).toEqual([
      "https://a.example/0",
      "https://a.example/1",
      "https://b.example/0",
    ]);
    expect((await store.getImportReport(record.id))?.jobs).toEqual({ completed: 16 });
  });

  it("a round ends at its deadline with the jobs still waiting, and the next round continues", async () => {
    const { runner, dispatched } = recordingRunner(store);
    const services = servicesWith(runner);
    const record = await createImport(
      { format: "urls", bytes: 0, entries: Array.from({ length: 5 }, (_, i) => entry(`https://slow.example/${i}`)) },
      null,
      services,
      launchNothing,
    );
    await runImport(
      record.id,
      { run: async (id, fn) => (id.startsWith("dispatch") ? 0 : fn()) as never },
      services,
      fast,
      {
        resolver,
      },
    );
    const waiting = await dispatchRound(record.id, services, { ...fast, perHost: 2, roundMs: 50 });
    expect(waiting).toBe(3);
    expect(dispatched).toHaveLength(2);
  });

  it("resumes an import whose process died while handing jobs over: no entry lost, one job per URL", async () => {
    const { runner, dispatched } = recordingRunner(store);
    const urls = Array.from({ length: 300 }, (_, i) => `https://h${i % 5}.example/p/${i}`);
    // The first process freezes at its 60th hand-over (and its heartbeat stops), as a killed process would.
    const frozen = new Promise<void>(() => undefined);
    const dyingRunner: JobRunner = {
      ...runner,
      async dispatch(job) {
        if (dispatched.length === 59) await frozen;
        await runner.dispatch(job);
      },
    };
    const throttle = { ...fast, perHost: 1000, overall: 1000 };
    const first = createInlineImportRunner(servicesWith(dyingRunner), { leaseMs: 300, throttle, resolver });
    const record = await createImport(
      { format: "urls", bytes: 0, entries: urls.map((u) => entry(u)) },
      null,
      servicesWith(runner),
      async (id) => first.start(id),
    );
    while (dispatched.length < 59) await new Promise((r) => setTimeout(r, 20));
    first.halt();
    const halfway = await store.getImportReport(record.id);
    expect(halfway).toMatchObject({ status: "running", counts: { pending: 0, queued: 300, dispatched: 50 } });
    // Another process starts after the lease ran out and picks the import up from its rows.
    await new Promise((r) => setTimeout(r, 400));
    const second = createInlineImportRunner(servicesWith(runner), { leaseMs: 300, throttle, resolver });
    expect(await second.resumeAbandoned()).toBeGreaterThanOrEqual(1);
    await second.wait(record.id);
    const report = await store.getImportReport(record.id);
    expect(report).toMatchObject({
      status: "completed",
      counts: { pending: 0, queued: 300, duplicate: 0, refused: 0, dispatched: 300 },
      jobs: { running: 300 },
    });
    // Handed over at least once each (the runners take a job once: Inngest by event id, inline by its lease).
    expect(new Set(dispatched).size).toBe(300);
    const jobs = (await store.listJobs({ limit: 200 })).filter((j) => j.url.includes(".example/p/"));
    expect(new Set(jobs.map((j) => j.canonicalUrl)).size).toBe(jobs.length);
  }, 120_000);

  it("the saved article takes the entry's tags, saved date and archived state", async () => {
    const { runner } = recordingRunner(store);
    const services = servicesWith(runner);
    const record = await createImport(
      {
        format: "pocket-html",
        bytes: 0,
        entries: [
          entry("https://tagged.example/story", {
            tags: ["pocket", "libraries"],
            savedAt: "2019-03-04T05:06:07.000Z",
            state: "archived",
          }),
        ],
      },
      null,
      services,
      launchNothing,
    );
    await runImport(record.id, inlineSteps, services, fast, { resolver });
    const report = await store.getImportReport(record.id);
    const jobId = (await store.listJobs({ limit: 200 })).find((j) => j.url === "https://tagged.example/story")?.id;
    expect(jobId).toBeDefined();
    const saved = await store.upsertArticle(article({ url: "https://tagged.example/story" }));
    await store.updateJob(jobId as string, { status: "completed", articleId: saved.id });
    const after = await store.getArticle(saved.id);
    expect(after?.summary.tags).toEqual(["libraries", "pocket"]);
    expect(after?.createdAt).toBe("2019-03-04T05:06:07.000Z");
    expect(after?.state).toBe("archived");
    expect(report?.counts.queued).toBe(1);
  });
});
