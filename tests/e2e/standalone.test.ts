import { createHmac, randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  baseEnv,
  copyStandalone,
  ensureFreshBuild,
  expectRefusal,
  freshDatabase,
  type RunningServer,
  startStandalone,
} from "../helpers/app-server";
import { type FixtureServer, SITE_DIR, startFixtureServer } from "../helpers/fixture-server";
import { REDIS_URL, serviceAvailable } from "../helpers/services";

const PASSWORD = "standalone-password";
const TOKEN = "standalone-token-0123456789abcdef0123";
const SESSION_SECRET = "standalone-session-secret-0123456789abcdef";
const SIGNING_KEY = `signkey-test-${randomBytes(32).toString("hex")}`;
const EVENT_KEY = "standalone-event-key";
const FUNCTION_ID = "article-summarizer-process-article";

interface Recorded {
  method: string;
  path: string;
  body: string;
}

/** Stands in for Inngest Cloud's event and REST APIs on loopback: accepts events, records every call. */
async function startFakeInngest() {
  const requests: Recorded[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://x");
      requests.push({ method: req.method ?? "GET", path: url.pathname, body });
      res.setHeader("Content-Type", "application/json");
      if (req.method === "POST" && url.pathname.startsWith("/e/")) {
        const events = JSON.parse(body) as unknown[];
        res.end(JSON.stringify({ ids: events.map((_, i) => `evt-${i}`), status: 200 }));
      } else res.end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** JSON with sorted keys and no spaces: RFC 8785 for the strings, integers and objects sent here (the SDK's canonical form). */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** The SDK's request signature: HMAC-SHA256 over body + timestamp with the key minus its `signkey-…-` prefix. */
function inngestSignature(body: string, signingKey: string, ts = Math.floor(Date.now() / 1000)): string {
  const key = signingKey.replace(/^signkey-[\w]+-/, "");
  const s = createHmac("sha256", key).update(body).update(String(ts)).digest("hex");
  return `t=${ts}&s=${s}`;
}

const servicesUp = (await serviceAvailable("postgres")) && (await serviceAvailable("redis"));

describe.skipIf(!servicesUp)("the standalone server, copied out of the repository", () => {
  let dir: string;
  let site: FixtureServer;
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  const running: RunningServer[] = [];

  const complete = (extra: Record<string, string | undefined> = {}) =>
    baseEnv({
      DATABASE_URL: database.url,
      REDIS_URL: `${REDIS_URL}/0`,
      PIPELINE_RUNNER: "inline",
      ADMIN_PASSWORD: PASSWORD,
      ADMIN_TOKEN: TOKEN,
      SESSION_SECRET,
      FETCH_ALLOWLIST: site.hostPort,
      ...extra,
    });

  beforeAll(async () => {
    ensureFreshBuild();
    dir = copyStandalone();
    site = await startFixtureServer(SITE_DIR);
    database = await freshDatabase();
  });

  afterAll(async () => {
    for (const server of running) await server.stop();
    await site?.close();
    await database?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const refusals: [string, Record<string, string | undefined>, string[]][] = [
    ["no database (never PGlite in production)", { DATABASE_URL: undefined }, ["DATABASE_URL"]],
    ["memory KV", { REDIS_URL: undefined }, ["KV_REST_API_URL"]],
    ["no runner chosen", { PIPELINE_RUNNER: undefined }, ["PIPELINE_RUNNER"]],
    ["the inline runner on Vercel", { VERCEL: "1" }, ["PIPELINE_RUNNER"]],
    ["Inngest without keys", { PIPELINE_RUNNER: "inngest" }, ["INNGEST_SIGNING_KEY", "INNGEST_EVENT_KEY"]],
    ["INNGEST_DEV set", { INNGEST_DEV: "1" }, ["INNGEST_DEV"]],
    ["a short admin password", { ADMIN_PASSWORD: "short-pass1" }, ["ADMIN_PASSWORD"]],
    ["a short admin token", { ADMIN_TOKEN: "t".repeat(31) }, ["ADMIN_TOKEN"]],
    ["a short session secret", { SESSION_SECRET: "s".repeat(31) }, ["SESSION_SECRET"]],
    ["a password without a session secret", { SESSION_SECRET: undefined }, ["SESSION_SECRET"]],
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    ["a database that does not answer", { DATABASE_URL: "postgres://postgres@127.0.0.1:1/none" }, ["DATABASE_URL"]],
    ["a Redis that does not answer", { REDIS_URL: "redis://127.0.0.1:1" }, ["REDIS_URL"]],
    [
      "an Upstash URL without its token",
      { REDIS_URL: undefined, UPSTASH_REDIS_REST_URL: "https://kv.example" },
      ["UPSTASH_REDIS_REST_TOKEN"],
    ],
  ];

  it.each(refusals)("refuses to start with %s, naming the variable", async (_name, patch, variables) => {
    const { code, output } = await expectRefusal(dir, complete(patch));
    expect(code, output).not.toBe(null);
    expect(code, output).not.toBe(0);
    for (const variable of variables) expect(output).toContain(`refusing to start: ${variable}:`);
    // Only the offending settings are named.
    expect(output.match(/refusing to start: /g)?.length).toBe(variables.length);
    // Never "Ready" before the checks (Next.js prints it when it listens: scripts/ready-gate.mjs holds it).
    expect(output).not.toContain("Ready");
  });

  it("serves a job end to end with PostgreSQL, Redis and the inline runner", async () => {
    const server = await startStandalone(dir, complete());
    running.push(server);
    // The held line comes out once the checks pass.
    expect(server.output()).toMatch(/✓ Ready in/);
    const auth = { Authorization: `Bearer ${TOKEN}` };

    const health = await fetch(`${server.url}/api/health`);
    expect(health.status, server.output()).toBe(200);
    expect(await health.json()).toMatchObject({
      ok: true,
      store: { adapter: "postgres", ok: true },
      kv: { adapter: "redis", ok: true },
      runner: { adapter: "inline", ok: true },
    });

    const submitted = await fetch(`${server.url}/api/jobs`, {
      method: "POST",
      headers: { ...auth, "Content-Type": "application/json" },
      body: JSON.stringify({ url: `${site.origin}/article.html` }),
    });
    expect(submitted.status, server.output()).toBe(202);
    const { jobId } = (await submitted.json()) as { jobId: string };

    type Snapshot = {
      status: string;
      reason?: string;
      message?: string;
      articleId?: string;
      timeline: { stages: { step: string; ms?: number; attempts: number }[]; totalMs?: number };
    };
    let snapshot: Snapshot | undefined;
    await expect
      .poll(
        async () => {
          snapshot = (await (await fetch(`${server.url}/api/jobs/${jobId}`, { headers: auth })).json()) as Snapshot;
          // A failure says why, with the server's log.
          return snapshot.status === "failed"
            ? `failed: ${snapshot.reason} ${snapshot.message}\n${server.output()}`
            : snapshot.status;
        },
        { timeout: 90_000, interval: 500 },
      )
      .toBe("completed");
    expect(snapshot?.timeline.stages.map((s) => s.step)).toEqual([
      "fetch",
      "detect",
      "extract",
      "transcribe",
      "summarize",
      "save",
    ]);
    for (const stage of snapshot?.timeline.stages ?? []) expect(stage.attempts).toBe(1);
    // Single-step stages always carry their duration (multi-step stages record theirs when their last step ends).
    for (const step of ["fetch", "detect", "extract", "save"]) {
      expect(snapshot?.timeline.stages.find((s) => s.step === step)?.ms).toBeGreaterThanOrEqual(0);
    }
    expect(snapshot?.timeline.totalMs).toBeGreaterThanOrEqual(0);

    const article = await fetch(`${server.url}/api/articles/${snapshot?.articleId}`, { headers: auth });
    expect(article.status).toBe(200);
    expect(await article.json()).toMatchObject({ title: "How Small Towns Are Rebuilding Their Libraries" });
    // Production logs are one JSON object per line, with fixed event names and fields.
    const adapters = server
      .output()
      .split("\n")
      .find((line) => line.includes('"msg":"adapters"'));
    expect(JSON.parse(adapters ?? "{}")).toMatchObject({
      level: "info",
      store: "postgres",
      kv: "redis",
      runner: "inline",
    });
  });

  it("in Inngest cloud mode: unsigned calls get 401, a signed call runs the function and records its run id", async () => {
    const inngest = await startFakeInngest();
    try {
      const server = await startStandalone(
        dir,
        complete({
          PIPELINE_RUNNER: "inngest",
          INNGEST_SIGNING_KEY: SIGNING_KEY,
          INNGEST_EVENT_KEY: EVENT_KEY,
          INNGEST_BASE_URL: inngest.url,
        }),
      );
      running.push(server);
      const auth = { Authorization: `Bearer ${TOKEN}` };

      // The health probe asks Inngest (here the fake) instead of assuming it answers.
      const health = (await (await fetch(`${server.url}/api/health`)).json()) as { runner: object };
      expect(health.runner).toEqual({ adapter: "inngest", ok: true });
      expect(inngest.requests.length).toBeGreaterThan(0);

      const submitted = await fetch(`${server.url}/api/jobs`, {
        method: "POST",
        headers: { ...auth, "Content-Type": "application/json" },
        body: JSON.stringify({ url: `${site.origin}/article.html`, force: true }),
      });
      expect(submitted.status, server.output()).toBe(202);
      const { jobId } = (await submitted.json()) as { jobId: string };
      const sent = inngest.requests.find((r) => r.path === `/e/${EVENT_KEY}`);
      expect(sent, server.output()).toBeDefined();
      const [event] = JSON.parse(sent?.body ?? "[]") as { name: string; data: { jobId: string } }[];
      expect(event).toMatchObject({ name: "article/submitted", data: { jobId } });

      const runId = `01RUN${randomBytes(8).toString("hex").toUpperCase()}`;
      const body = canonical({
        ctx: { attempt: 0, disable_immediate_execution: false, run_id: runId, stack: { current: 0, stack: [] } },
        event,
        events: [event],
        steps: {},
        version: 1,
      });
      const endpoint = `${server.url}/api/inngest?fnId=${FUNCTION_ID}&stepId=step`;
      const post = (headers: Record<string, string>) =>
        fetch(endpoint, { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body });

      const unsigned = await post({});
      expect(unsigned.status).toBe(401);
      const forged = await post({ "X-Inngest-Signature": inngestSignature(body, "signkey-test-0000") });
      expect(forged.status).toBe(401);

      const signed = await post({ "X-Inngest-Signature": inngestSignature(body, SIGNING_KEY) });
      const answer = await signed.text();
      // 206: the function ran its first step and hands the result back to Inngest.
      expect(signed.status, `${answer}\n${server.output()}`).toBe(206);
      expect(answer).toContain('"op":"StepRun"');
      expect(answer).toContain('"name":"run"');

      const snapshot = (await (await fetch(`${server.url}/api/jobs/${jobId}`, { headers: auth })).json()) as {
        runId?: string;
        runUrl?: string;
        status: string;
      };
      expect(snapshot.runId).toBe(runId);
      expect(snapshot.runUrl).toBe(`https://app.inngest.com/env/production/runs/${runId}`);
      // Only the run's first step ("run": it takes the job with its run id) has run; no stage has started yet.
      expect(snapshot.status).toBe("queued");
    } finally {
      await inngest.close();
    }
  });
});
