import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { cpSync, existsSync, mkdtempSync, readdirSync, statSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { POSTGRES_URL } from "./services";

export const ROOT = path.resolve(import.meta.dirname, "../..");

/** What a production build is made from: a change to any of these makes the last build stale. */
const BUILD_INPUTS = [
  "app",
  "lib",
  "inngest",
  "public",
  "next.config.ts",
  "proxy.ts",
  "instrumentation.ts",
  "package-lock.json",
];

function newestChange(entry: string): number {
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(entry).reduce(
    (newest, name) => Math.max(newest, newestChange(path.join(entry, name))),
    stat.mtimeMs,
  );
}

/**
 * Builds the app unless `.next` holds a build newer than every source it is made from, so an e2e run never tests a
 * build older than the code (CI builds just before, so this does nothing there).
 */
export function ensureFreshBuild(): void {
  const stamp = path.join(ROOT, ".next/standalone/server.js");
  const built = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
  const sources = BUILD_INPUTS.map((entry) => path.join(ROOT, entry)).filter((entry) => existsSync(entry));
  if (built > 0 && sources.every((entry) => newestChange(entry) < built)) return;
  execFileSync("npm", ["run", "build"], { cwd: ROOT, stdio: "inherit" });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function waitForHttp(url: string, timeoutMs: number, isUp = (status: number) => status < 500) {
  const deadline = Date.now() + timeoutMs;
  let last = "no answer";
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      await response.body?.cancel();
      if (isUp(response.status)) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = String(error);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms (${last})`);
}

/** A fresh PostgreSQL database and a way to drop it. */
export async function freshDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `as_app_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const admin = postgres(POSTGRES_URL, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

/**
 * The build's standalone output copied to an empty folder outside the repository, as a deployment would have it:
 * `.next/standalone` plus `.next/static`. Nothing resolves back into the repo's node_modules.
 */
export function copyStandalone(): string {
  const built = path.join(ROOT, ".next/standalone/server.js");
  if (!existsSync(built)) throw new Error(`No standalone build at ${built}: run npm run build first`);
  const dir = mkdtempSync(path.join(os.tmpdir(), "as-standalone-"));
  cpSync(path.join(ROOT, ".next/standalone"), dir, { recursive: true, dereference: true });
  cpSync(path.join(ROOT, ".next/static"), path.join(dir, ".next/static"), { recursive: true });
  return dir;
}

/** Only what a deployment would set: no inherited NODE_ENV, keys or URLs from the test process. */
export function baseEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: "production" };
  for (const [key, value] of Object.entries(extra)) if (value !== undefined) env[key] = value;
  return env;
}

export interface RunningServer {
  url: string;
  process: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

export async function startStandalone(dir: string, env: NodeJS.ProcessEnv): Promise<RunningServer> {
  const port = await freePort();
  let output = "";
  const child = spawn(process.execPath, ["server.js"], {
    cwd: dir,
    env: { ...env, PORT: String(port), HOSTNAME: "127.0.0.1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    await Promise.race([
      waitForHttp(`${url}/api/health`, 60_000, () => true),
      exited.then(() => {
        throw new Error(`server exited with ${child.exitCode}: ${output}`);
      }),
    ]);
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
  return {
    url,
    process: child,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await exited;
      }
    },
  };
}

/** Starts the server expecting it to refuse: resolves with its exit code and output, or fails if it stays up. */
export async function expectRefusal(dir: string, env: NodeJS.ProcessEnv, timeoutMs = 30_000) {
  const port = await freePort();
  const child = spawn(process.execPath, ["server.js"], {
    cwd: dir,
    env: { ...env, PORT: String(port), HOSTNAME: "127.0.0.1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      resolve(null);
    }, timeoutMs);
    child.once("exit", (exitCode) => {
      clearTimeout(timer);
      resolve(exitCode);
    });
  });
  return { code, output };
}
