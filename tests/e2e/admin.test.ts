import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeOpenAI } from "../helpers/fake-openai";
import { type FixtureServer, SITE_DIR, startFixtureServer } from "../helpers/fixture-server";
import { CHROMIUM_PATH, REDIS_URL, serviceAvailable } from "../helpers/services";

const ROOT = path.resolve(import.meta.dirname, "../..");
const ARTIFACTS = path.join(ROOT, "tests/e2e/artifacts");
const PASSWORD = "e2e-password-not-secret";
const TOKEN = "e2e-token-not-secret";

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.status < 500) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

const redisUp = await serviceAvailable("redis");
const chromiumPresent = existsSync(CHROMIUM_PATH);
if (!chromiumPresent && process.env.REQUIRE_SERVICES === "1") throw new Error(`No Chromium at ${CHROMIUM_PATH}`);

describe.skipIf(!redisUp || !chromiumPresent)("admin UI end to end (next start + Chromium)", () => {
  let app: ChildProcess;
  let site: FixtureServer;
  let llm: Awaited<ReturnType<typeof startFakeOpenAI>>;
  let browser: Browser;
  let baseUrl: string;
  let dataDir: string;

  beforeAll(async () => {
    if (!existsSync(path.join(ROOT, ".next/BUILD_ID"))) {
      execFileSync("npx", ["next", "build"], { cwd: ROOT, stdio: "inherit" });
    }
    site = await startFixtureServer(SITE_DIR);
    // Slow enough that every stage is visibly "running" in the browser before it is done.
    llm = await startFakeOpenAI({ latencyMs: 1_500 });
    dataDir = mkdtempSync(path.join(os.tmpdir(), "as-e2e-"));
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    // Its own process group, so teardown stops next-server and not just the launcher.
    app = spawn(path.join(ROOT, "node_modules/.bin/next"), ["start", "-p", String(port), "-H", "127.0.0.1"], {
      cwd: ROOT,
      detached: true,
      stdio: ["ignore", "inherit", "inherit"],
      env: {
        ...process.env,
        NODE_ENV: "production",
        ADMIN_PASSWORD: PASSWORD,
        ADMIN_TOKEN: TOKEN,
        SESSION_SECRET: "e2e-session-secret-with-at-least-32-characters",
        PIPELINE_RUNNER: "inline",
        REDIS_URL: `${REDIS_URL}/0`,
        PGLITE_DIR: path.join(dataDir, "pglite"),
        OPENAI_API_KEY: "sk-fake",
        OPENAI_BASE_URL: llm.url,
        FETCH_ALLOWLIST: site.hostPort,
      },
    });
    await waitForHttp(`${baseUrl}/api/health`, 60_000);
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    });
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    if (app?.pid) process.kill(-app.pid, "SIGTERM");
    await site?.close();
    await llm?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("signs in, submits a URL, watches the stages live and reads the summary", async () => {
    const page = await browser.newPage();
    await page.goto(`${baseUrl}/admin`);
    await page.waitForURL(/\/login$/);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/admin$/);

    await page.getByLabel("URL").fill(`${site.origin}/article.html`);
    const submittedAt = Date.now();
    await page.getByRole("button", { name: "Summarize" }).click();

    // The first event reaching the browser: fetch leaves "pending".
    await page.locator('[data-stage="fetch"]:not([data-state="pending"])').waitFor({ timeout: 20_000 });
    const firstEventMs = Date.now() - submittedAt;

    // Live, not at the end: summarize is seen running while the job is not finished.
    await page.locator('[data-stage="summarize"][data-state="running"]').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId("job-status").textContent()).toBe("running");

    for (const stage of ["fetch", "detect", "extract", "transcribe", "summarize", "save"]) {
      await page.locator(`[data-stage="${stage}"][data-state="done"]`).waitFor({ timeout: 30_000 });
    }
    await expect.poll(() => page.getByTestId("job-status").textContent()).toBe("completed");
    const summary = page.getByRole("region", { name: "Summary" });
    await summary.getByRole("link", { name: "Open article" }).waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, "admin-job-completed.png"), fullPage: true });

    await summary.getByRole("link", { name: "Open article" }).click();
    await page.getByRole("heading", { level: 1, name: "How Small Towns Are Rebuilding Their Libraries" }).waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, "article.png"), fullPage: true });

    console.log(JSON.stringify({ metric: "submit_to_first_event_in_browser_ms", value: firstEventMs }));
  });

  it("relays a finished job's log over SSE from any sequence number, then closes", async () => {
    const auth = { Authorization: `Bearer ${TOKEN}` };
    const submitted = await fetch(`${baseUrl}/api/jobs`, {
      method: "POST",
      headers: { ...auth, "Content-Type": "application/json" },
      body: JSON.stringify({ url: `${site.origin}/article.html` }),
    });
    expect(submitted.status).toBe(202);
    const { jobId, eventsUrl } = (await submitted.json()) as { jobId: string; eventsUrl: string };
    // Already summarized by the previous test: the job completes at once, pointing at the saved article.
    await expect
      .poll(
        async () =>
          ((await (await fetch(`${baseUrl}/api/jobs/${jobId}`, { headers: auth })).json()) as { status: string })
            .status,
      )
      .toBe("completed");

    const full = await (await fetch(`${baseUrl}${eventsUrl}`, { headers: auth })).text();
    const ids = [...full.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
    expect(ids).toEqual(ids.map((_, i) => i + 1));
    expect(full).toMatch(/event: job\.completed/);

    const resumed = await (
      await fetch(`${baseUrl}${eventsUrl}`, { headers: { ...auth, "Last-Event-ID": "1" } })
    ).text();
    expect([...resumed.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]))).toEqual(ids.slice(1));

    expect((await fetch(`${baseUrl}/api/jobs/job_unknown/events`, { headers: auth })).status).toBe(404);
    expect((await fetch(`${baseUrl}${eventsUrl}`)).status).toBe(401);
  });

  it("refuses the API without credentials", async () => {
    const response = await fetch(`${baseUrl}/api/jobs`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ url: "https://example.com/" }),
    });
    expect(response.status).toBe(401);
  });
});
