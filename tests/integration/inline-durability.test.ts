import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeOpenAI, startFakeOpenAI } from "../helpers/fake-openai";
import { type FixtureServer, startFixtureServer } from "../helpers/fixture-server";
import { CHILD_ENV, POSTGRES_URL, serviceAvailable } from "../helpers/services";
import { hasFfmpeg, synthesizeToneEpisode, toneStt } from "../helpers/tone-audio";

const ready = hasFfmpeg() && (await serviceAvailable("postgres"));
const ROOT = path.resolve(import.meta.dirname, "../..");

let dir: string;
let site: FixtureServer;
let llm: FakeOpenAI;
let stt: ReturnType<typeof toneStt>;
let databaseUrl: string;
const admin = postgres(POSTGRES_URL, { max: 1, onnotice: () => undefined });
const dbName = `as_test_${randomUUID().replaceAll("-", "").slice(0, 12)}`;

beforeAll(async () => {
  if (!ready) return;
  dir = mkdtempSync(path.join(os.tmpdir(), "as-durable-"));
  // Five windows of 40 s; the STT takes 1.5 s a window, one window at a time.
  synthesizeToneEpisode(dir, "episode", "mp3", { seconds: 200, windowSeconds: 5, silent: [] });
  site = await startFixtureServer(dir);
  stt = toneStt(40);
  llm = await startFakeOpenAI({ transcribe: stt.transcribe, latencyMs: 1_500 });
  await admin.unsafe(`create database ${dbName}`);
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${dbName}`;
  databaseUrl = url.toString();
}, 120_000);
afterAll(async () => {
  await llm?.close();
  await site?.close();
  if (ready) await admin.unsafe(`drop database if exists ${dbName} with (force)`);
  await admin.end();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function summarizeCli(url: string): {
  child: ChildProcess;
  output: Promise<{ code: number | null; stdout: string; stderr: string }>;
} {
  const child = spawn(path.join(ROOT, "node_modules/.bin/tsx"), ["scripts/summarize.ts", url, "--json"], {
    cwd: ROOT,
    env: {
      NODE_ENV: "development",
      ...CHILD_ENV,
      DATABASE_URL: databaseUrl,
      OPENAI_API_KEY: "sk-test",
      OPENAI_BASE_URL: llm.url,
      FETCH_ALLOWLIST: site.hostPort,
      TRANSCRIBE_CHUNK_SECONDS: "40",
      TRANSCRIBE_CONCURRENCY: "1",
      INLINE_LEASE_SECONDS: "3",
      LOG_LEVEL: "error",
    },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group: `tsx` runs the CLI in a child node process, which a kill of `tsx` alone leaves running.
    detached: true,
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  const output = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on("exit", (code) => resolve({ code, stdout, stderr })),
  );
  return { child, output };
}

/** Whether any process of the group still exists (signal 0 checks without signalling). */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

const answered = () => stt.uploads.filter((u) => u.duration !== null).map((u) => u.filename);

describe.skipIf(!ready)("a killed inline run", () => {
  it("resumes on the next run of the same URL without uploading a finished chunk again", async () => {
    const url = `${site.origin}/episode.mp3`;
    const first = summarizeCli(url);
    // Kill it (SIGKILL: no cleanup, the lease stays) once two windows are transcribed and cached: the whole
    // process group, so no child survives to finish the job with the lease.
    for (let i = 0; i < 600 && answered().length < 2; i++) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 300));
    process.kill(-(first.child.pid ?? 0), "SIGKILL");
    await first.output;
    const finishedBeforeKill = answered();
    // Nothing of the killed run goes on: once an upload already on the wire has landed, no new one starts while
    // nobody runs the job (a surviving child would upload a window every 1.5 s).
    await new Promise((r) => setTimeout(r, 3_000));
    const uploadsAfterKill = stt.uploads.length;
    await new Promise((r) => setTimeout(r, 5_000));
    expect(stt.uploads.length).toBe(uploadsAfterKill);
    expect(groupAlive(first.child.pid ?? 0)).toBe(false);
    expect(finishedBeforeKill.length).toBeGreaterThanOrEqual(2);

    // The job is still `running` in the store; the next run takes it over when its lease runs out.
    const second = summarizeCli(url);
    // It ends (the CLI never waits on a job nobody runs), having transcribed the rest of the episode.
    const { code, stdout } = await second.output;
    expect(code, stdout).toBe(0);
    expect(JSON.parse(stdout).status).toBe("completed");
    for (const name of finishedBeforeKill) expect(stt.uploads.filter((u) => u.filename === name)).toHaveLength(1);
    for (let n = 1; n <= 5; n++) expect(answered()).toContain(`chunk-${n}-of-5.mp3`);
    const db = postgres(databaseUrl, { max: 1, onnotice: () => undefined });
    try {
      const jobs = await db<{ status: string }[]>`select status from jobs`;
      expect(jobs).toHaveLength(1);
      expect(jobs[0]?.status).toBe("completed");
    } finally {
      await db.end();
    }
  }, 180_000);
});
