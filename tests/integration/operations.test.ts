import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as trimRoute } from "@/app/api/jobs/trim/route";
import { parseConfig } from "@/lib/env";
import { INLINE_TASKS } from "@/lib/jobs/inline-cron";
import { probeInngest } from "@/lib/jobs/inngest-runner";
import { trimOldJobs } from "@/lib/jobs/retention";
import { createRedisKv } from "@/lib/progress/redis-kv";
import { getServices, resetServicesForTesting } from "@/lib/services";
import { createStore } from "@/lib/store";
import type { Store } from "@/lib/store/store";
import { freePort, freshDatabase, ROOT } from "../helpers/app-server";
import { type FixtureServer, SITE_DIR, startFixtureServer } from "../helpers/fixture-server";
import { quietLogger } from "../helpers/pipeline-fixtures";
import { CHILD_ENV, REDIS_URL, serviceAvailable } from "../helpers/services";

const run = promisify(execFile);
const servicesUp = (await serviceAvailable("postgres")) && (await serviceAvailable("redis"));

describe.skipIf(!servicesUp)("operations on PostgreSQL and Redis", () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let store: Store;
  let site: FixtureServer;

  beforeAll(async () => {
    database = await freshDatabase();
    store = await createStore({ kind: "postgres", url: database.url });
    site = await startFixtureServer(SITE_DIR);
  });
  afterAll(async () => {
    await store?.close();
    await site?.close();
    await database?.drop();
  });

  it("trims finished jobs past the retention period with their progress logs, and keeps the rest", async () => {
    const kv = createRedisKv(REDIS_URL, { prefix: `ops-${randomUUID()}` });
    try {
      const job = async (status: "completed" | "running") => {
        const { job } = await store.createJob({
          id: `job_${randomUUID().slice(0, 12)}`,
          url: `https://a.example/${randomUUID()}`,
          canonicalUrl: `https://a.example/${randomUUID()}`,
          force: false,
        });
        await store.updateJob(job.id, { status });
        await kv.append({ jobId: job.id, type: "job.queued", at: Date.now() });
        return job.id;
      };
      const finished = await job("completed");
      const active = await job("running");
      // 31 days from now, a 30-day retention reaches back past both jobs.
      const later = Date.now() + 31 * 24 * 60 * 60 * 1000;
      const result = await trimOldJobs({ store, kv, now: () => later, logger: quietLogger }, 30);

      expect(result.jobs).toBe(1);
      expect(await store.getJob(finished)).toBeNull();
      expect(await kv.count(finished)).toBe(0);
      expect((await store.getJob(active))?.status).toBe("running");
      expect(await kv.count(active)).toBe(1);
      // Within the retention period nothing goes.
      expect((await trimOldJobs({ store, kv, now: Date.now, logger: quietLogger }, 30)).jobs).toBe(0);
    } finally {
      await kv.close();
    }
  });

  it("one server trims by itself (the inline cron, RETENTION_DAYS) and on POST /api/jobs/trim with the admin token", async () => {
    const token = "operations-token-0123456789abcdef0123";
    resetServicesForTesting(
      parseConfig({
        DATABASE_URL: database.url,
        REDIS_URL: `${REDIS_URL}/0`,
        PIPELINE_RUNNER: "inline",
        RETENTION_DAYS: "7",
        ADMIN_TOKEN: token,
        LOG_LEVEL: "error",
      }),
    );
    const services = await getServices();
    try {
      const finished = async () => {
        const { job } = await store.createJob({
          id: `job_${randomUUID().slice(0, 12)}`,
          url: `https://a.example/${randomUUID()}`,
          canonicalUrl: `https://a.example/${randomUUID()}`,
          force: false,
        });
        await store.updateJob(job.id, { status: "completed" });
        return job.id;
      };
      const task = INLINE_TASKS.find((t) => t.name === "trim-old-jobs");
      expect(task).toBeDefined();
      const first = await finished();
      // Eight days on, a 7-day retention (not the 30-day default) reaches this job.
      await task?.run({ ...services, now: () => Date.now() + 8 * 24 * 60 * 60 * 1000 });
      expect(await store.getJob(first)).toBeNull();

      const second = await finished();
      const post = (body?: unknown, auth = `Bearer ${token}`) =>
        trimRoute(
          new Request("http://127.0.0.1/api/jobs/trim", {
            method: "POST",
            headers: { Authorization: auth, ...(body ? { "Content-Type": "application/json" } : {}) },
            body: body ? JSON.stringify(body) : undefined,
          }),
          { params: Promise.resolve({}) },
        );
      expect((await post(undefined, "Bearer wrong-token-0123456789abcdef0123")).status).toBe(401);
      expect((await post({ days: 0 })).status).toBe(400);
      const kept = await post();
      expect(kept.status).toBe(200);
      expect(await kept.json()).toMatchObject({ jobs: 0 });
      expect(await store.getJob(second)).not.toBeNull();
    } finally {
      await services.store.close();
      await services.kv.close();
      await services.reader.close();
      resetServicesForTesting();
    }
  });

  it("npm run jobs:retry -- --reason re-runs exactly the failed jobs with that reason, dismissed ones only when asked", async () => {
    const failed = async (url: string, reason: "http_error" | "timeout") => {
      const { job } = await store.createJob({
        id: `job_${randomUUID().slice(0, 12)}`,
        url,
        canonicalUrl: url,
        force: true,
      });
      await store.updateJob(job.id, { status: "failed", reason, message: "failed in the test" });
      return job.id;
    };
    const target = await failed(`${site.origin}/article.html`, "http_error");
    const other = await failed(`${site.origin}/article.html?other`, "timeout");
    const setAside = await failed(`${site.origin}/article.html?dismissed`, "http_error");
    expect(await store.dismissJob(setAside, true)).toMatchObject({ id: setAside });

    const env = {
      NODE_ENV: "development" as const,
      ...CHILD_ENV,
      DATABASE_URL: database.url,
      REDIS_URL: `${REDIS_URL}/0`,
      PIPELINE_RUNNER: "inline",
      FETCH_ALLOWLIST: site.hostPort,
    };
    const tsx = path.join(ROOT, "node_modules/.bin/tsx");
    const dry = await run(tsx, ["scripts/jobs.ts", "retry", "--reason", "http_error", "--dry-run"], { cwd: ROOT, env });
    expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, jobs: [{ jobId: target, status: "failed" }] });

    const { stdout } = await run(tsx, ["scripts/jobs.ts", "retry", "--reason", "http_error"], { cwd: ROOT, env });
    expect(JSON.parse(stdout)).toMatchObject({
      reason: "http_error",
      runner: "inline",
      jobs: [{ jobId: target, status: "completed" }],
    });
    expect((await store.getJob(target))?.articleId).toBeDefined();
    expect((await store.getJob(other))?.status).toBe("failed");
    expect((await store.getJob(setAside))?.status).toBe("failed");

    const all = await run(tsx, ["scripts/jobs.ts", "retry", "--reason", "http_error", "--include-dismissed"], {
      cwd: ROOT,
      env,
    });
    expect(JSON.parse(all.stdout)).toMatchObject({ jobs: [{ jobId: setAside, status: "completed" }] });

    const refused = await run(tsx, ["scripts/jobs.ts", "retry", "--reason", "nope"], { cwd: ROOT, env }).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(refused).toMatchObject({ code: 2 });
  }, 120_000);
});

describe("Inngest health probe", () => {
  it("asks the event API (or the Dev Server's /dev) and reports what it answered", async () => {
    let status = 200;
    const paths: string[] = [];
    const server = http.createServer((req, res) => {
      paths.push(req.url ?? "");
      res.statusCode = status;
      res.end("{}");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect(await probeInngest({ baseUrl: base })).toBe(true);
      expect(await probeInngest({ dev: true, devUrl: base })).toBe(true);
      expect(paths).toEqual(["/", "/dev"]);
      status = 503;
      expect(await probeInngest({ baseUrl: base })).toBe(false);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    // Nothing listening: the probe fails (GET /api/health reports the runner as not answering).
    await expect(probeInngest({ baseUrl: `http://127.0.0.1:${await freePort()}` })).rejects.toThrow();
  });
});
