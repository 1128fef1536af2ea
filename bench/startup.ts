import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { CHILD_ENV, POSTGRES_URL, REDIS_URL } from "../tests/helpers/services";
import { round } from "./corpus";

/**
 * npm run bench:startup — how long a start takes to say something useful, as a user sees it. Prints JSON:
 * - dev: `npm run dev` (offline on these machines) until Next.js prints "Ready", on a fresh PGlite folder;
 * - standalone: the built server copied to an empty folder, until "Ready" and until /api/health answers 200
 *   (PostgreSQL and Redis on loopback; needs `npm run build`), and until each refusal's exit (dead database,
 *   dead Redis, half an Upstash pair) with the line it printed.
 */
const ROOT = path.resolve(import.meta.dirname, "..");
const DATABASE_URL = POSTGRES_URL;

interface Run {
  readyMs?: number;
  healthMs?: number;
  exitMs?: number;
  code?: number | null;
  refusal?: string;
}

/** Starts `command`, resolves when `until` says so (or the process exits), then kills its whole group. */
function timeStart(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, port?: number): Promise<Run> {
  const started = performance.now();
  const run: Run = {};
  const child = spawn(command, args, { cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  const ms = () => round(performance.now() - started, 0);
  return new Promise((resolve) => {
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearInterval(poll);
      if (child.exitCode === null) process.kill(-(child.pid as number), "SIGKILL");
      resolve(run);
    };
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      if (run.readyMs === undefined && text.includes("Ready in")) {
        run.readyMs = ms();
        if (port === undefined) finish();
      }
      const refusal = /refusing to start: .*/.exec(text)?.[0];
      if (refusal) run.refusal ??= refusal;
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => {
      run.exitMs = ms();
      run.code = code;
      finish();
    });
    const poll = setInterval(async () => {
      if (port === undefined || run.healthMs !== undefined) return;
      const ok = await fetch(`http://127.0.0.1:${port}/api/health`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok && run.healthMs === undefined) {
        run.healthMs = ms();
        finish();
      }
    }, 100);
    setTimeout(finish, 120_000);
  });
}

const base = CHILD_ENV;
const results: Record<string, Run | string> = {};

const pglite = mkdtempSync(path.join(os.tmpdir(), "as-bench-dev-"));
results.dev = await timeStart("npm", ["run", "dev", "--", "-p", "3987"], ROOT, {
  ...base,
  NODE_ENV: "development" as const,
  PGLITE_DIR: pglite,
});
rmSync(pglite, { recursive: true, force: true });

if (existsSync(path.join(ROOT, ".next/standalone/server.js"))) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "as-bench-standalone-"));
  cpSync(path.join(ROOT, ".next/standalone"), dir, { recursive: true, dereference: true });
  cpSync(path.join(ROOT, ".next/static"), path.join(dir, ".next/static"), { recursive: true });
  const production = {
    ...base,
    NODE_ENV: "production" as const,
    HOSTNAME: "127.0.0.1",
    PORT: "3988",
    PIPELINE_RUNNER: "inline",
    ADMIN_TOKEN: "bench-token-0123456789abcdef0123456789",
    DATABASE_URL,
    REDIS_URL,
  };
  const serve = (extra: Record<string, string | undefined>) =>
    timeStart(process.execPath, ["server.js"], dir, { ...production, ...extra }, 3988);
  results.standalone = await serve({});
  results.deadDatabase = await serve({ DATABASE_URL: "postgres://postgres@127.0.0.1:1/none" });
  results.deadRedis = await serve({ REDIS_URL: "redis://127.0.0.1:1" });
  results.halfUpstash = await serve({ REDIS_URL: undefined, UPSTASH_REDIS_REST_URL: "https://kv.example" });
  rmSync(dir, { recursive: true, force: true });
} else results.standalone = "skipped: no .next/standalone (npm run build first)";

console.log(JSON.stringify(results, null, 2));
