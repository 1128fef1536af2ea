import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeOpenAI, startFakeOpenAI } from "../helpers/fake-openai";
import { type FixtureServer, startFixtureServer } from "../helpers/fixture-server";
import { CHILD_ENV, servicesRequired } from "../helpers/services";

const ROOT = path.resolve(__dirname, "../..");
const hasEspeak = (() => {
  try {
    execFileSync("espeak-ng", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    if (servicesRequired) throw new Error("espeak-ng is required (REQUIRE_SERVICES=1)");
    return false;
  }
})();

let dir: string;
let site: FixtureServer;
let llm: FakeOpenAI;
beforeAll(async () => {
  if (!hasEspeak) return;
  dir = mkdtempSync(path.join(os.tmpdir(), "as-cli-exit-"));
  execFileSync("espeak-ng", ["-w", path.join(dir, "speech.wav"), "The harbor wall was rebuilt after the storm."]);
  site = await startFixtureServer(dir);
  llm = await startFakeOpenAI();
});
afterAll(async () => {
  await llm?.close();
  await site?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function summarize(url: string): Promise<{ code: number | null; stdout: string }> {
  // Its own process group: tsx leaves its node child running when only tsx is killed.
  const child: ChildProcess = spawn(path.join(ROOT, "node_modules/.bin/tsx"), ["scripts/summarize.ts", url, "--json"], {
    cwd: ROOT,
    detached: true,
    env: {
      NODE_ENV: "development",
      ...CHILD_ENV,
      PGLITE_DIR: path.join(dir, "pglite"),
      OPENAI_API_KEY: "sk-test",
      OPENAI_BASE_URL: llm.url,
      FETCH_ALLOWLIST: site.hostPort,
      LOG_LEVEL: "error",
    },
    stdio: ["ignore", "pipe", "ignore"],
  });
  let stdout = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
  });
  const timer = setTimeout(() => child.pid && process.kill(-child.pid, "SIGKILL"), 120_000);
  return new Promise((resolve) =>
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout });
    }),
  );
}

describe.skipIf(!hasEspeak)("the summarize CLI's exit code", () => {
  it("is 2 when the speech-to-text refused the job for good (a 400), though the reason may retry", async () => {
    llm.failNext(400, 10, undefined, { message: "Invalid file format." });
    const { code, stdout } = await summarize(`${site.origin}/speech.wav`);
    expect(JSON.parse(stdout)).toMatchObject({ status: "failed", reason: "transcription_failed" });
    expect(code).toBe(2);
  }, 150_000);
});
