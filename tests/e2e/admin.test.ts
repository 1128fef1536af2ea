import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyScheme } from "@/lib/progress/redis-scripts";
import { freshDatabase, ROOT } from "../helpers/app-server";
import { type E2eApp, E2E_PASSWORD as PASSWORD, startE2eApp, E2E_TOKEN as TOKEN } from "../helpers/e2e-app";
import type { ChatBehaviour } from "../helpers/fake-chat";
import { startFakeOpenAI } from "../helpers/fake-openai";
import { type FixtureServer, SITE_DIR, startFixtureServer } from "../helpers/fixture-server";
import { CHROMIUM_PATH, REDIS_URL, serviceAvailable } from "../helpers/services";

const ARTIFACTS = path.join(ROOT, "tests/e2e/artifacts");

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core injected into the page, WCAG 2.1 A/AA rules: every violation, whatever its impact. */
async function violations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ content: AXE_SOURCE });
  const found = await page.evaluate(async () => {
    const axe = (
      window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: AxeViolation[] }> } }
    ).axe;
    const tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
    return (await axe.run(document, { runOnly: { type: "tag", values: tags } })).violations;
  });
  return found.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

/** The serious and critical ones (pages other issues own are held to these). */
async function seriousViolations(page: Page): Promise<string[]> {
  return (await violations(page)).filter((v) => / \((serious|critical)\):/.test(v));
}

const PODCAST_SPEECH =
  "Welcome to Harbor Radio. Tonight the lighthouse keeper tells her story, and the storm that came in the night.";

/** How the fake LLM answers: chapters on the podcast's own timeline (the summarizer checks them against it). */
const CHAT: ChatBehaviour = {
  chapters: [
    { start: 0, title: "Welcome" },
    { start: 3, title: "The keeper's story" },
  ],
};

const redisUp = (await serviceAvailable("redis")) && (await serviceAvailable("postgres"));
const chromiumPresent = existsSync(CHROMIUM_PATH);
if (!chromiumPresent && process.env.REQUIRE_SERVICES === "1") throw new Error(`No Chromium at ${CHROMIUM_PATH}`);

describe.skipIf(!redisUp || !chromiumPresent)("admin UI end to end (next start + Chromium)", () => {
  let app: E2eApp | undefined;
  let site: FixtureServer;
  let llm: Awaited<ReturnType<typeof startFakeOpenAI>>;
  let browser: Browser;
  let baseUrl: string;
  let dataDir: string;
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let siteDir: string;
  let signedIn: BrowserContext;
  const auth = { Authorization: `Bearer ${TOKEN}` };
  const submit = async (url: string): Promise<string> => {
    const response = await fetch(`${baseUrl}/api/jobs`, {
      method: "POST",
      headers: { ...auth, "Content-Type": "application/json" },
      body: JSON.stringify({ url }),
    });
    if (response.status !== 202) throw new Error(`submit ${url}: HTTP ${response.status}`);
    return ((await response.json()) as { jobId: string }).jobId;
  };
  const snapshot = async (jobId: string) =>
    (await (await fetch(`${baseUrl}/api/jobs/${jobId}`, { headers: auth })).json()) as {
      status: string;
      reason?: string;
      step?: string;
      articleId?: string;
    };

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), "as-e2e-"));
    database = await freshDatabase();
    // A copy of the fixture site the tests can change (a missing page that appears later).
    siteDir = path.join(dataDir, "site");
    cpSync(SITE_DIR, siteDir, { recursive: true });
    const article = readFileSync(path.join(SITE_DIR, "article.html"), "utf8");
    writeFileSync(
      path.join(siteDir, "clinics.html"),
      article
        .replaceAll("How Small Towns Are Rebuilding Their Libraries", "Why Rural Clinics Are Going Mobile")
        .replace("/stories/small-town-libraries", "/stories/rural-clinics"),
    );
    // A page only the import test submits (the others are in the library by then: an import dedupes against it).
    writeFileSync(
      path.join(siteDir, "bakery.html"),
      article.replaceAll("How Small Towns Are Rebuilding Their Libraries", "The Bakery That Stayed Open"),
    );
    // A long recording (100 s of tone): with 30 s windows it is transcribed in several chunks, one at a time.
    execFileSync("sox", [
      "-n",
      "-r",
      "16000",
      "-c",
      "1",
      path.join(siteDir, "long.wav"),
      "synth",
      "100",
      "sine",
      "440",
    ]);
    // A podcast episode page: speech synthesized here, a player, few words of its own.
    execFileSync("espeak-ng", ["-s", "150", "-w", path.join(siteDir, "talk.wav"), PODCAST_SPEECH]);
    writeFileSync(
      path.join(siteDir, "talk.html"),
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Episode 7: The Lighthouse Keepers | Harbor Radio</title>
<meta property="og:site_name" content="Harbor Radio"></head><body><main><h1>Episode 7: The Lighthouse Keepers</h1>
<audio controls src="/talk.wav"></audio><p>Listen to this week's episode.</p></main></body></html>`,
    );
    // Another episode, with its own recording, for the failure inbox: transcribed (paid), then its summary refused.
    execFileSync("espeak-ng", ["-s", "150", "-w", path.join(siteDir, "ep8.wav"), PODCAST_SPEECH]);
    writeFileSync(
      path.join(siteDir, "episode8.html"),
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Episode 8: Fog Signals | Harbor Radio</title>
<meta property="og:site_name" content="Harbor Radio"></head><body><main><h1>Episode 8: Fog Signals</h1>
<audio controls src="/ep8.wav"></audio><p>Listen to this week's episode.</p></main></body></html>`,
    );
    site = await startFixtureServer(siteDir);
    // Slow enough that every stage is visibly "running" in the browser before it is done.
    llm = await startFakeOpenAI({
      latencyMs: 1_500,
      transcript: PODCAST_SPEECH,
      segments: [
        { start: 0, end: 2, text: "Welcome to Harbor Radio." },
        { start: 2, end: 5, text: "Tonight the lighthouse keeper tells her story," },
        { start: 5, end: 7, text: "and the storm that came in the night." },
      ],
    });
    llm.setChat(CHAT);
    app = await startE2eApp({
      databaseUrl: database.url,
      env: {
        OPENAI_API_KEY: "sk-fake",
        OPENAI_BASE_URL: llm.url,
        FETCH_ALLOWLIST: site.hostPort,
        // Short windows, one at a time, so a transcription's chunk bar is seen moving.
        TRANSCRIBE_CHUNK_SECONDS: "30",
        TRANSCRIBE_CONCURRENCY: "1",
      },
    });
    ({ baseUrl, browser, signedIn } = app);
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  afterAll(async () => {
    await app?.stop();
    await site?.close();
    await llm?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    await database?.drop();
  });

  it("signs in, pastes two URLs, watches both cards live in stage order and reads the summary", async () => {
    const page = await browser.newPage();
    await page.goto(`${baseUrl}/admin`);
    await page.waitForURL(/\/login$/);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/admin$/);

    // Validation before sending: a line that is not a web address is named and nothing is submitted.
    await page.getByLabel("URL").fill(`${site.origin}/article.html\nnot a url`);
    await page.getByRole("button", { name: "Summarize" }).click();
    await page.getByText("Not a web address: not a url").waitFor();
    expect(await page.locator("article.job").count()).toBe(0);

    await page.getByLabel("URL").fill(`${site.origin}/article.html\n${site.origin}/clinics.html`);
    const submittedAt = Date.now();
    await page.getByRole("button", { name: "Summarize" }).click();
    await expect.poll(() => page.locator("article.job").count()).toBe(2);
    const card = page.getByRole("article", { name: /article\.html|Small Towns/ });

    // The first event reaching the browser: fetch leaves "pending".
    await card.locator('[data-stage="fetch"]:not([data-state="pending"])').waitFor({ timeout: 20_000 });
    const firstEventMs = Date.now() - submittedAt;

    // Live, not at the end: summarize is seen running while save is still pending and the job is not finished.
    await card.locator('[data-stage="summarize"][data-state="running"]').waitFor({ timeout: 30_000 });
    expect(await card.locator('[data-stage="save"]').getAttribute("data-state")).toBe("pending");
    // The running stage's progress (summary calls here; transcription chunks use the same bar).
    await card.getByTestId("progress-summarize").waitFor();
    expect(await card.getByTestId("job-status").textContent()).toBe("running");

    await expect.poll(() => card.getByTestId("job-status").textContent(), { timeout: 30_000 }).toBe("completed");
    const other = page.getByRole("article", { name: /clinics\.html|Rural Clinics/ });
    await expect.poll(() => other.getByTestId("job-status").textContent(), { timeout: 30_000 }).toBe("completed");

    // Finished, the card folds to one line: title, kind, duration, cost and the article; its stages on demand.
    const details = card.getByRole("button", { name: "Details" });
    await details.waitFor();
    expect(await details.getAttribute("aria-expanded")).toBe("false");
    expect(await card.locator("ol.stages").isVisible()).toBe(false);
    // Folded, the stages are still named with their state (a strip of dots): transcribe, moot for a text page, is not.
    const strip = card.getByRole("list", { name: "Stages" });
    expect(await strip.getByRole("listitem").allTextContents()).toEqual([
      "fetch done",
      "detect done",
      "extract done",
      "summarize done",
      "save done",
    ]);
    expect(await card.getByTestId("job-kind").textContent()).toBe("Article");
    expect(await card.getByTestId("job-duration").textContent()).toMatch(/^\d+(\.\d)? (ms|s)$|min/);
    expect(await card.getByTestId("job-cost").textContent()).toMatch(/^\$|unknown/);
    await card.getByRole("link", { name: "Open article" }).waitFor();
    const collapsedHeight = (await card.boundingBox())?.height;
    await details.click();
    expect(await details.getAttribute("aria-expanded")).toBe("true");
    await card.locator("ol.stages").waitFor();
    for (const stage of ["fetch", "detect", "extract", "summarize", "save"]) {
      expect(await card.locator(`[data-stage="${stage}"]`).getAttribute("data-state")).toBe("done");
    }
    // A text page had nothing to transcribe: the stage is not drawn.
    expect(await card.locator('[data-stage="transcribe"]').count()).toBe(0);
    await card.getByRole("region", { name: "Summary" }).waitFor();
    const expandedHeight = (await card.boundingBox())?.height;
    await page.screenshot({ path: path.join(ARTIFACTS, "admin-jobs-completed.png"), fullPage: true });
    await details.click();
    expect(await card.locator("ol.stages").isVisible()).toBe(false);
    console.log(JSON.stringify({ metric: "finished_card_height_px", width: 1280, collapsedHeight, expandedHeight }));

    await card.getByRole("link", { name: "Open article" }).click();
    await page.getByRole("heading", { level: 1, name: "How Small Towns Are Rebuilding Their Libraries" }).waitFor();

    console.log(JSON.stringify({ metric: "submit_to_first_event_in_browser_ms", value: firstEventMs }));
    await page.close();
  });

  it("a job failing at summarize is in the inbox by reason; retry all after the fix reuses the paid transcript and is followed live to completed, also after a reload", async () => {
    const transcriptions = () => llm.requests.filter((r) => r.path.endsWith("/audio/transcriptions")).length;
    // Two failures with different reasons: a missing page (http_error at fetch) and an episode whose transcript was
    // paid for, then the AI provider refused the summary (403: permanent, so the runner does not retry it).
    llm.setChat({ ...CHAT, failWith: { status: 403, message: "This project's key was revoked" } });
    const missing = await submit(`${site.origin}/later.html`);
    const episode = await submit(`${site.origin}/episode8.html`);
    await expect.poll(async () => (await snapshot(missing)).status, { timeout: 30_000 }).toBe("failed");
    await expect.poll(async () => (await snapshot(episode)).status, { timeout: 60_000 }).toBe("failed");
    expect(await snapshot(episode)).toMatchObject({ reason: "summarization_failed", step: "summarize" });
    const paidTranscriptions = transcriptions();
    expect(paidTranscriptions).toBeGreaterThan(0);

    const page = await signedIn.newPage();
    await page.goto(`${baseUrl}/admin/failures`);
    const episodeRow = page.locator(`tr[data-job-id="${episode}"]`);
    const missingRow = page.locator(`tr[data-job-id="${missing}"]`);
    await episodeRow.getByText("summarization_failed").waitFor();
    await episodeRow.getByText("at summarize").waitFor();
    await missingRow.getByText("http_error").waitFor();
    await page.getByLabel("Reason").selectOption("summarization_failed");
    expect(page.url()).toContain("reason=summarization_failed");
    await missingRow.waitFor({ state: "detached" });
    expect(await episodeRow.isVisible()).toBe(true);
    await page.screenshot({ path: path.join(ARTIFACTS, "failures-filtered.png"), fullPage: true });

    // The provider is back; its answers are held so the retry is seen running (on this page and after a reload).
    llm.setChat(CHAT);
    const release = llm.hold();
    try {
      await page.getByRole("button", { name: /^Retry all summarization_failed \(1\)/ }).click();
      // The provider's 403 was permanent: the inbox asks first, as the job's card does.
      await page
        .getByRole("alertdialog", { name: /^This failure is permanent/ })
        .getByRole("button", { name: "Retry all (1)" })
        .click();
      const card = page.locator(`article.job[data-job-id="${episode}"]`);
      await card.getByTestId("job-run").filter({ hasText: "run 2" }).waitFor();
      // The retried job left the list; the filter says so instead of showing an empty table.
      await page.getByText("No open failures with reason summarization_failed.").waitFor();
      expect(await page.getByRole("button", { name: /^Retry all/ }).count()).toBe(0);
      await card.locator('[data-stage="summarize"][data-state="running"]').waitFor({ timeout: 30_000 });
      // The paid stage was not paid again: the transcript came from the store.
      expect(await card.locator('[data-stage="transcribe"]').getAttribute("data-state")).toBe("reused");
      expect(await card.locator('[data-stage="save"]').getAttribute("data-state")).toBe("pending");
      await page.screenshot({ path: path.join(ARTIFACTS, "failures-retrying.png"), fullPage: true });

      // A reload while the retry runs: the card replays the failed run as history and follows run 2 live.
      await page.goto(`${baseUrl}/admin?job=${episode}`);
      const reloaded = page.locator(`article.job[data-job-id="${episode}"]`);
      await reloaded.locator('[data-stage="summarize"][data-state="running"]').waitFor({ timeout: 20_000 });
      expect(await reloaded.getByTestId("job-run").textContent()).toBe("run 2");
      expect(await reloaded.getByTestId("job-status").textContent()).toBe("running");
      expect(await reloaded.locator('[data-stage="transcribe"]').getAttribute("data-state")).toBe("reused");
      release();
      await expect.poll(() => reloaded.getByTestId("job-status").textContent(), { timeout: 30_000 }).toBe("completed");
      // Finished while watched: folded to one line, opened again on demand.
      await reloaded.getByRole("button", { name: "Details" }).click();
      for (const stage of ["fetch", "detect", "extract", "summarize", "save"]) {
        expect(await reloaded.locator(`[data-stage="${stage}"]`).getAttribute("data-state")).toBe("done");
      }
      expect(await reloaded.locator('[data-stage="transcribe"]').getAttribute("data-state")).toBe("reused");
      await reloaded.getByText("1 earlier run").waitFor();
      await reloaded.getByRole("region", { name: "Summary" }).waitFor();
      await reloaded.getByRole("link", { name: "Open article" }).waitFor();
      await page.screenshot({ path: path.join(ARTIFACTS, "admin-retried.png"), fullPage: true });
    } finally {
      release();
    }
    expect(await snapshot(episode)).toMatchObject({ status: "completed" });
    expect(transcriptions()).toBe(paidTranscriptions);
    // The other reason was not retried.
    expect((await snapshot(missing)).status).toBe("failed");
    await page.close();
  });

  it("a bulk retry says how many of the chosen failures are permanent and asks: all, only the retriable ones, or none", async () => {
    // A page that does not exist (404: permanent) and a summary the provider failed to write (500: worth retrying).
    llm.setChat({ ...CHAT, failWith: { status: 500, message: "The provider is having a moment" } });
    writeFileSync(
      path.join(siteDir, "ferries.html"),
      readFileSync(path.join(SITE_DIR, "article.html"), "utf8")
        .replaceAll("How Small Towns Are Rebuilding Their Libraries", "The Ferries That Never Stopped")
        .replace("/stories/small-town-libraries", "/stories/ferries")
        .replace(
          "</p>",
          "</p><p>The ferries kept running through every winter gale that year, and the harbour master logged each crossing.</p>",
        ),
    );
    const gone = await submit(`${site.origin}/never-written.html`);
    const flaky = await submit(`${site.origin}/ferries.html`);
    await expect.poll(async () => (await snapshot(gone)).status, { timeout: 30_000 }).toBe("failed");
    await expect.poll(async () => (await snapshot(flaky)).status, { timeout: 60_000 }).toBe("failed");
    expect(await snapshot(flaky)).toMatchObject({ reason: "summarization_failed" });
    llm.setChat(CHAT);

    const page = await signedIn.newPage();
    await page.goto(`${baseUrl}/admin/failures`);
    const goneRow = page.locator(`tr[data-job-id="${gone}"]`);
    const flakyRow = page.locator(`tr[data-job-id="${flaky}"]`);
    await goneRow.getByRole("checkbox").check();
    await flakyRow.getByRole("checkbox").check();
    const retrySelected = page.getByRole("button", { name: "Retry selected (2)" });
    await retrySelected.click();
    const ask = page.getByRole("alertdialog", {
      name: "1 of these 2 failures is permanent: a retry will most likely stop the same way.",
    });
    await ask.waitFor();
    // The safe answer has focus; the question passes axe.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Retry only the retriable (1)");
    for (const v of await violations(page)) throw new Error(`bulk retry question: ${v}`);
    await page.screenshot({ path: path.join(ARTIFACTS, "failures-retry-question.png"), fullPage: true });

    // Escape and Cancel retry nothing and give focus back to the button that asked; the selection stays.
    await page.keyboard.press("Escape");
    await ask.waitFor({ state: "detached" });
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Retry selected (2)");
    await retrySelected.click();
    await ask.getByRole("button", { name: "Cancel" }).click();
    await ask.waitFor({ state: "detached" });
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Retry selected (2)");
    expect((await snapshot(gone)).status).toBe("failed");
    expect((await snapshot(flaky)).status).toBe("failed");

    // Only the retriable one: it runs again and completes; the permanent one stays in the inbox, not retried.
    await retrySelected.click();
    await ask.getByRole("button", { name: "Retry only the retriable (1)" }).click();
    await page
      .locator(`article.job[data-job-id="${flaky}"]`)
      .getByTestId("job-run")
      .filter({ hasText: "run 2" })
      .waitFor();
    await flakyRow.waitFor({ state: "detached" });
    await expect.poll(async () => (await snapshot(flaky)).status, { timeout: 60_000 }).toBe("completed");
    expect(await snapshot(gone)).toMatchObject({ status: "failed" });
    expect(await goneRow.getByRole("checkbox").isChecked()).toBe(false);

    // Retry all: the permanent one runs again (and stops the same way).
    await goneRow.getByRole("checkbox").check();
    await page.getByRole("button", { name: "Retry selected (1)" }).click();
    const again = page.getByRole("alertdialog", { name: /^This failure is permanent/ });
    expect(await again.getByRole("button").allTextContents()).toEqual(["Retry all (1)", "Cancel"]);
    await again.getByRole("button", { name: "Retry all (1)" }).click();
    await page
      .locator(`article.job[data-job-id="${gone}"]`)
      .getByTestId("job-run")
      .filter({ hasText: "run 2" })
      .waitFor();
    await expect.poll(async () => (await snapshot(gone)).status, { timeout: 30_000 }).toBe("failed");
    await page.close();
  });

  it("dismisses a failure for every browser (stored with the job), undoes it, shows and restores dismissed ones", async () => {
    const gone = await submit(`${site.origin}/gone.html`);
    await expect.poll(async () => (await snapshot(gone)).status, { timeout: 30_000 }).toBe("failed");
    const page = await signedIn.newPage();
    await page.goto(`${baseUrl}/admin/failures`);
    const row = page.locator(`tr[data-job-id="${gone}"]`);
    await row.getByRole("checkbox").check();
    await page.getByRole("button", { name: "Dismiss (1)" }).click();
    await row.waitFor({ state: "detached" });
    await page.getByRole("status").getByText("Dismissed 1 job.").waitFor();
    // Undo puts it back; a second dismissal sticks.
    await page.getByRole("button", { name: "Undo" }).click();
    await row.waitFor();
    await row.getByRole("checkbox").check();
    await page.getByRole("button", { name: "Dismiss (1)" }).click();
    await row.waitFor({ state: "detached" });

    // Another browser, signed in on its own, sees the same inbox: the dismissal is the server's, not localStorage.
    // A fresh profile holding only the session cookie: no localStorage from the first one.
    const other = await browser.newContext({ storageState: { cookies: await signedIn.cookies(), origins: [] } });
    const otherPage = await other.newPage();
    await otherPage.goto(`${baseUrl}/admin/failures`);
    await otherPage.getByRole("button", { name: /^Show dismissed/ }).waitFor();
    expect(await otherPage.locator(`tr[data-job-id="${gone}"]`).count()).toBe(0);
    await otherPage.getByRole("button", { name: /^Show dismissed/ }).click();
    const dismissedRow = otherPage.locator(`tr[data-job-id="${gone}"][data-dismissed="true"]`);
    await dismissedRow.waitFor();
    await otherPage.screenshot({ path: path.join(ARTIFACTS, "failures-dismissed.png"), fullPage: true });

    // The API says the same; dismissal leaves the job failed and retriable.
    const listed = async (query: string) =>
      (
        (await (await fetch(`${baseUrl}/api/jobs?status=failed${query}`, { headers: auth })).json()) as {
          jobs: { id: string; status: string; dismissedAt?: string }[];
        }
      ).jobs.find((j) => j.id === gone);
    expect(await listed("&dismissed=false")).toBeUndefined();
    expect(await listed("&dismissed=true")).toMatchObject({ status: "failed", dismissedAt: expect.any(String) });
    expect(await listed("")).toMatchObject({ status: "failed" });

    // Restore from the other browser: back in the inbox for everyone.
    await dismissedRow.getByRole("button", { name: /^Restore/ }).click();
    await otherPage.locator(`tr[data-job-id="${gone}"]:not([data-dismissed])`).waitFor();
    expect(await listed("&dismissed=false")).toMatchObject({ status: "failed" });
    await page.reload();
    await row.waitFor();

    // A retry brings a dismissed job back: should it fail again, it is in everyone's inbox.
    expect((await fetch(`${baseUrl}/api/jobs/${gone}/dismiss`, { method: "POST", headers: auth })).status).toBe(200);
    expect(await listed("&dismissed=false")).toBeUndefined();
    expect((await fetch(`${baseUrl}/api/jobs/${gone}/retry`, { method: "POST", headers: auth })).status).toBe(202);
    await expect.poll(async () => (await snapshot(gone)).status, { timeout: 30_000 }).toBe("failed");
    expect(await listed("&dismissed=false")).toMatchObject({ status: "failed" });
    expect((await listed(""))?.dismissedAt).toBeUndefined();

    // Mutations refuse other sites, unknown jobs and jobs that did not fail.
    const crossSite = await fetch(`${baseUrl}/api/jobs/${gone}/dismiss`, {
      method: "POST",
      headers: { ...auth, Origin: "https://evil.example" },
    });
    expect(crossSite.status).toBe(401);
    expect((await fetch(`${baseUrl}/api/jobs/job_unknown/dismiss`, { method: "POST", headers: auth })).status).toBe(
      404,
    );
    const completed = (await (
      await fetch(`${baseUrl}/api/jobs?status=completed&limit=1`, { headers: auth })
    ).json()) as {
      jobs: { id: string }[];
    };
    const done = completed.jobs[0]?.id;
    expect(done).toBeDefined();
    const refused = await fetch(`${baseUrl}/api/jobs/${done}/dismiss`, { method: "POST", headers: auth });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: { reason: string } }).error.reason).toBe("conflict");
    expect((await fetch(`${baseUrl}/api/jobs/${gone}/dismiss`, { method: "POST" })).status).toBe(401);
    await other.close();
    await page.close();
  });

  it("cards tell the truth on first paint, from the row when the log expired; 'not run'; retry anyway? on a permanent failure", async () => {
    const missing = await submit(`${site.origin}/nowhere.html`);
    await expect.poll(async () => (await snapshot(missing)).status, { timeout: 30_000 }).toBe("failed");
    const completed = (await (
      await fetch(`${baseUrl}/api/jobs?status=completed&limit=1`, { headers: auth })
    ).json()) as {
      jobs: { id: string }[];
    };
    const done = completed.jobs[0]?.id as string;
    expect(done).toBeDefined();

    // First paint is the server's: with scripts off, a finished card already says how its job ended. (The page
    // streams in after its loading skeleton, so without scripts it stays in the DOM unshown: read, not seen.)
    const noScript = await browser.newContext({
      javaScriptEnabled: false,
      storageState: { cookies: await signedIn.cookies(), origins: [] },
    });
    const still = await noScript.newPage();
    await still.goto(`${baseUrl}/admin?job=${done}`);
    const doneCard = still.locator(`article.job[data-job-id="${done}"]`);
    expect(await doneCard.getByTestId("job-status").textContent()).toBe("completed");
    expect(await doneCard.locator("h3").textContent()).not.toContain(done);
    expect(await doneCard.locator("a", { hasText: "Open article" }).count()).toBe(1);
    expect(await doneCard.locator('[data-state="pending"]').count()).toBe(0);
    // Its progress log expired (7 days): the row still tells the stages, their times and the article.
    const redis = new Redis(`${REDIS_URL}/0`);
    await redis.del(keyScheme().events(done), keyScheme().snapshot(done));
    await redis.quit();
    await still.reload();
    expect(await doneCard.getByTestId("job-status").textContent()).toBe("completed");
    expect(await doneCard.locator("a", { hasText: "Open article" }).count()).toBe(1);
    expect(await doneCard.locator('[data-stage="save"]').getAttribute("data-state")).toBe("done");
    expect(await doneCard.locator('[data-stage="summarize"] .stage-time').textContent()).toMatch(/\d/);
    await still.goto(`${baseUrl}/admin?job=${missing}`);
    const failedCard = still.locator(`article.job[data-job-id="${missing}"]`);
    expect(await failedCard.getByTestId("job-status").textContent()).toBe("failed");
    expect(await failedCard.getByTestId("job-reason").textContent()).toBe("The page answered with an error");
    await noScript.close();

    // The failed card, live: the reason in words with its code in small print; the stages it never reached.
    const page = await signedIn.newPage();
    await page.goto(`${baseUrl}/admin?job=${missing}`);
    const card = page.locator(`article.job[data-job-id="${missing}"]`);
    await card.getByRole("button", { name: "Details" }).click();
    expect(await card.locator('[data-stage="fetch"]').getAttribute("data-state")).toBe("failed");
    for (const stage of ["detect", "extract", "transcribe", "summarize", "save"]) {
      const row = card.locator(`[data-stage="${stage}"]`);
      expect(await row.getAttribute("data-state")).toBe("not_run");
      expect(await row.locator(".stage-state").textContent()).toBe("not run");
    }
    expect(await card.locator(".reason-code").textContent()).toBe("http_error");
    await page.screenshot({ path: path.join(ARTIFACTS, "admin-failed-expanded.png"), fullPage: true });

    // A 404 is permanent: Retry asks first, in the page (focus on the answer), and "Don't retry" changes nothing.
    const retry = card.getByRole("button", { name: "Retry", exact: true });
    await retry.click();
    const ask = card.getByRole("alertdialog", { name: /Retry anyway\?/ });
    await ask.waitFor();
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Retry anyway");
    for (const v of await violations(page)) throw new Error(`confirm: ${v}`);
    await page.screenshot({ path: path.join(ARTIFACTS, "admin-retry-anyway.png"), fullPage: true });
    await ask.getByRole("button", { name: "Don't retry" }).click();
    await ask.waitFor({ state: "detached" });
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Retry");
    await page.keyboard.press("Enter");
    await ask.waitFor();
    await page.keyboard.press("Escape");
    await ask.waitFor({ state: "detached" });
    expect((await snapshot(missing)).status).toBe("failed");
    await retry.click();
    await ask.getByRole("button", { name: "Retry anyway" }).click();
    await card.getByTestId("job-run").filter({ hasText: "run 2" }).waitFor();
    await expect.poll(async () => (await snapshot(missing)).status, { timeout: 30_000 }).toBe("failed");
    await expect.poll(() => card.getByTestId("job-status").textContent(), { timeout: 30_000 }).toBe("failed");
    await page.close();
  });

  it("plays a podcast: a chapter click seeks the player, the transcript is searchable; library filters combine with search", async () => {
    const jobId = await submit(`${site.origin}/talk.html`);
    await expect.poll(async () => (await snapshot(jobId)).status, { timeout: 60_000 }).toBe("completed");
    const articleId = (await snapshot(jobId)).articleId;

    // The fixture site serves the episode over plain http on loopback, which the app's CSP (media-src 'self' https:)
    // refuses in every deployment; this browser context alone ignores the CSP so the player can load it.
    const listener = await browser.newContext({
      bypassCSP: true,
      storageState: { cookies: await signedIn.cookies(), origins: [] },
    });
    const page = await listener.newPage();
    await page.goto(`${baseUrl}/articles/${articleId}`);
    // The headline without the site's name; a listening time from the transcript.
    await page.getByRole("heading", { level: 1, name: "Episode 7: The Lighthouse Keepers" }).waitFor();
    await page.getByText(/min listen/).waitFor();
    await page.waitForFunction(() => (document.querySelector("audio")?.readyState ?? 0) >= 1);
    // The summarizer checks chapters against the transcript's times, so the start is read from the page.
    const chapter = page.getByRole("button", { name: /The keeper's story/ });
    const start = Number(await chapter.getAttribute("data-start"));
    expect(start).toBeGreaterThan(1);
    await chapter.click();
    await expect
      .poll(() => page.evaluate(() => document.querySelector("audio")?.currentTime ?? 0))
      .toBeGreaterThanOrEqual(start - 0.05);
    await page.getByRole("button", { name: "Play from 0:00" }).click();
    await expect
      .poll(() => page.evaluate(() => document.querySelector("audio")?.currentTime ?? 99))
      .toBeLessThan(start);

    await page.getByLabel("Search the transcript").fill("lighthouse");
    await expect.poll(() => page.getByTestId("transcript-matches").textContent()).toBe("1 match");
    await page.locator(".transcript mark", { hasText: "lighthouse" }).waitFor();
    // What the reader sees scrolled down to the transcript: the audio player docked at the top, nothing under it.
    await page.getByRole("heading", { name: "Transcript" }).evaluate((h) => h.scrollIntoView());
    await page.screenshot({ path: path.join(ARTIFACTS, "article-podcast-scrolled.png") });
    const docked = await page.evaluate(() => {
      const player = document.querySelector(".player")?.getBoundingClientRect();
      const heading = document.querySelector("#transcript-heading")?.getBoundingClientRect();
      return { playerBottom: player?.bottom ?? 0, playerTop: player?.top ?? -1, headingTop: heading?.top ?? 0 };
    });
    expect(docked.playerTop).toBe(0);
    expect(docked.headingTop).toBeGreaterThanOrEqual(docked.playerBottom);
    // The whole page from the top (a full-page shot taken scrolled would paint the docked player mid-page).
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join(ARTIFACTS, "article-podcast.png"), fullPage: true });

    // A word only the transcript has, filtered to podcasts; the same words filtered to articles find nothing.
    await page.goto(`${baseUrl}/articles?q=storm&kind=podcast`);
    // Both episodes (the failure inbox test's episode 8 has the same fake transcript), no article.
    await page.getByRole("link", { name: "Episode 7: The Lighthouse Keepers" }).waitFor();
    await page.getByRole("link", { name: "Episode 8: Fog Signals" }).waitFor();
    expect(await page.getByTestId("library-count").textContent()).toContain("1–2 of 2 items");
    await page.getByLabel("Kind", { exact: true }).selectOption("article");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await page.waitForURL(/kind=article/);
    expect(await page.getByTestId("library-count").textContent()).toContain("No results");
    expect(page.url()).toContain("q=storm");
    await listener.close();
  });

  it("relays a finished job's log over SSE from any sequence number, then closes", async () => {
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

  let importPage = "/admin/import";

  it("imports a Pocket export from the import page: one job per new URL, duplicates and refusals named in the report", async () => {
    const pocket = `<!DOCTYPE html><html><head><title>Pocket Export</title></head><body><h1>Unread</h1><ul>
<li><a href="${site.origin}/bakery.html" time_added="1590000000" tags="imported,pocket">Bakery</a></li>
<li><a href="${site.origin}/bakery.html#again" time_added="1590000001" tags="">Bakery again</a></li>
<li><a href="http://10.0.0.7/admin" time_added="1590000002" tags="">Private</a></li>
<li><a href="javascript:alert(1)" time_added="1590000003" tags="">Script</a></li>
</ul><h1>Read Archive</h1><ul></ul></body></html>`;
    const page = await signedIn.newPage();
    await page.goto(`${baseUrl}/admin/import`);
    await page.getByLabel("Export file").setInputFiles({
      name: "ril_export.html",
      mimeType: "text/html",
      buffer: Buffer.from(pocket),
    });
    await page.getByRole("button", { name: "Import" }).click();
    await page.waitForURL(/\/admin\/import\?id=imp_/);
    importPage = new URL(page.url()).pathname + new URL(page.url()).search;
    const report = page.getByRole("region", { name: /ril_export\.html/ });
    await report.getByText("completed").first().waitFor({ timeout: 30_000 });
    await expect
      .poll(async () => report.locator("dd").allInnerTexts(), { timeout: 60_000 })
      .toEqual(["1", "1", "1", "0", "1", "2"]);
    const refused = report.getByRole("table", { name: /Refused/ });
    await expect.poll(() => refused.getByRole("row").count()).toBe(3);
    expect(await refused.textContent()).toMatch(/blocked_url/);
    await page.close();
  });

  it("follows a feed from the Following page, lists its items with Summarize, and adds a webhook whose secret shows once", async () => {
    const page = await signedIn.newPage();
    await page.goto(`${baseUrl}/admin/following`);
    await page.getByLabel("Feed URL").fill(`${site.origin}/podcast.xml`);
    await page.getByLabel("Existing items to summarize now").fill("0");
    await page.getByRole("button", { name: "Follow", exact: true }).click();
    await page
      .getByRole("status")
      .filter({ hasText: /^Following / })
      .waitFor();
    const subscriptions = (await (await fetch(`${baseUrl}/api/subscriptions`, { headers: auth })).json()) as {
      subscriptions: { id: string; title: string; itemsSeen: number }[];
    };
    const followed = subscriptions.subscriptions[0];
    expect(followed).toBeDefined();
    // The first poll runs after the answer (after()): its items appear on the subscription's page.
    await expect
      .poll(async () => {
        const one = (await (await fetch(`${baseUrl}/api/subscriptions/${followed?.id}`, { headers: auth })).json()) as {
          items: unknown[];
        };
        return one.items.length;
      })
      .toBeGreaterThan(0);
    await page.reload();
    await page.getByRole("link", { name: followed?.title ?? "" }).click();
    await page.waitForURL(/\/admin\/following\/[0-9a-f-]{36}$/);
    await page
      .getByRole("button", { name: /^Summarize / })
      .first()
      .waitFor();

    await page.goto(`${baseUrl}/admin/webhooks`);
    await page.getByLabel("Webhook URL").fill(`${site.origin}/hook`);
    await page.getByRole("button", { name: "Add webhook" }).click();
    await page.getByText(/Signing secret \(shown once/).waitFor();
    expect(await page.getByText(/whsec_/).count()).toBe(1);
    await page.reload();
    expect(await page.getByText(/whsec_/).count()).toBe(0);
    await page.getByRole("button", { name: `Send test to ${site.origin}/hook` }).waitFor();
    await page.close();
  });

  it("every page passes axe (no serious or critical violations) light and dark, and fits 1280 and 390 px", async () => {
    const list = (await (
      await fetch(`${baseUrl}/api/articles`, { headers: { Authorization: `Bearer ${TOKEN}` } })
    ).json()) as { items?: { id: string }[] };
    const firstArticle = list.items?.[0]?.id;
    // The sign-in page, the job cards (folded and opened) and the failure inbox are held to every axe rule;
    // the reading pages to the serious and critical ones.
    const pages: [name: string, url: string][] = [
      ["login", "/login"],
      ["admin", "/admin"],
      ["admin-expanded", "/admin"],
      ["failures", "/admin/failures"],
      ["import", importPage],
      ["library", "/articles"],
      ["library-search", "/articles?q=library"],
      ["following", "/admin/following"],
      ["webhooks", "/admin/webhooks"],
      ...(firstArticle ? ([["article", `/articles/${firstArticle}`]] as [string, string][]) : []),
    ];
    const strict = new Set(["login", "admin", "admin-expanded", "failures"]);
    expect(firstArticle).toBeDefined();
    const problems: string[] = [];
    const anonymous = await browser.newContext();
    for (const scheme of ["light", "dark"] as const) {
      for (const [width, height] of [
        [1280, 900],
        [390, 844],
      ] as const) {
        for (const [name, url] of pages) {
          const page = await (name === "login" ? anonymous : signedIn).newPage();
          await page.setViewportSize({ width, height });
          await page.emulateMedia({ colorScheme: scheme, reducedMotion: "reduce" });
          await page.goto(`${baseUrl}${url}`);
          // "load", not "networkidle": the pages render on the server, and Chromium here does not report the
          // network idle after a signed-in page has loaded, though no request is left open (checked over CDP).
          await page.waitForLoadState("load");
          if (name === "admin-expanded") {
            // Clicked until the page has hydrated and the card opens.
            for (const toggle of await page.getByRole("button", { name: "Details" }).all()) {
              await expect
                .poll(async () => {
                  if ((await toggle.getAttribute("aria-expanded")) === "false") await toggle.click();
                  return toggle.getAttribute("aria-expanded");
                })
                .toBe("true");
            }
          }
          await page.screenshot({ path: path.join(ARTIFACTS, `${name}-${width}-${scheme}.png`), fullPage: true });
          // Nothing wider than the screen: no sideways scrolling on a phone.
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
          if (overflow > 1) problems.push(`${name} ${width}px ${scheme}: ${overflow}px wider than the screen`);
          // axe once per page and scheme (colours do not change with the width; the width check is the overflow).
          if (width === 1280) {
            const found = strict.has(name) ? await violations(page) : await seriousViolations(page);
            for (const v of found) problems.push(`${name} ${scheme}: ${v}`);
          }
          await page.close();
        }
      }
    }
    await anonymous.close();
    expect(problems).toEqual([]);
    // About 40 page loads with an axe run each: minutes on a loaded machine, so more room than the suite's default.
  }, 420_000);

  it("shows a long transcription's chunk bar moving, chunk by chunk, until the stage is done", async () => {
    const submitted = await fetch(`${baseUrl}/api/jobs`, {
      method: "POST",
      headers: { ...auth, "Content-Type": "application/json" },
      body: JSON.stringify({ url: `${site.origin}/long.wav` }),
    });
    const { jobId } = (await submitted.json()) as { jobId: string };
    const page = await signedIn.newPage();
    await page.goto(`${baseUrl}/admin?job=${jobId}`);
    const card = page.locator(`article.job[data-job-id="${jobId}"]`);
    const bar = card.getByTestId("progress-transcribe");
    await bar.waitFor({ timeout: 30_000 });
    const total = Number(await bar.getAttribute("max"));
    expect(total).toBeGreaterThanOrEqual(3);
    // Every value the bar shows while transcribe runs (each window takes the fake STT's 1.5 s).
    const seen = new Set<number>();
    const labels = new Set<string>();
    const transcribeState = () => card.locator('[data-stage="transcribe"]').getAttribute("data-state");
    while ((await transcribeState()) === "running") {
      const value = await bar.getAttribute("value", { timeout: 1_000 }).catch(() => null);
      if (value !== null) seen.add(Number(value));
      const label = await card
        .locator('[data-stage="transcribe"] .stage-progress')
        .textContent({ timeout: 1_000 })
        .catch(() => null);
      if (label) labels.add(label);
      await page.waitForTimeout(100);
    }
    expect(await transcribeState()).toBe("done");
    expect(seen.size).toBeGreaterThanOrEqual(2);
    expect(Math.max(...seen)).toBeLessThanOrEqual(total);
    // The label counts chunks and the minutes of audio already transcribed.
    expect([...labels].some((l) => /chunk/.test(l) && /min transcribed/.test(l))).toBe(true);
    await expect.poll(() => card.getByTestId("job-status").textContent(), { timeout: 60_000 }).toBe("completed");
    await page.close();
  });

  // Last: signing out revokes every session, this suite's shared one included.
  it("every signed-in page has a Sign out control; it ends the session and lands on the sign-in page", async () => {
    const list = (await (await fetch(`${baseUrl}/api/articles`, { headers: auth })).json()) as {
      items?: { id: string }[];
    };
    const page = await signedIn.newPage();
    for (const url of ["/admin", "/admin/failures", "/articles", `/articles/${list.items?.[0]?.id}`]) {
      await page.goto(`${baseUrl}${url}`);
      expect(await page.getByRole("button", { name: "Sign out" }).count(), url).toBe(1);
    }
    const anonymous = await browser.newPage();
    await anonymous.goto(`${baseUrl}/login`);
    expect(await anonymous.getByRole("button", { name: "Sign out" }).count()).toBe(0);
    await anonymous.close();

    await page.goto(`${baseUrl}/admin`);
    const posted = page.waitForRequest((r) => r.url().endsWith("/api/auth/logout") && r.method() === "POST");
    await page.getByRole("button", { name: "Sign out" }).click();
    // Landed first: the request's sent headers are only known once its redirect has been followed (allHeaders()
    // takes no timeout and never resolves for a chain that broke), and a control that failed says why on the page.
    await page.waitForURL(/\/login$/).catch(async (cause: unknown) => {
      const alerts = await page.getByRole("alert").allTextContents();
      throw new Error(`Sign out did not land on /login (still on ${page.url()}; alerts: ${alerts.join(" | ")})`, {
        cause,
      });
    });
    expect((await (await posted).allHeaders()).origin).toBe(baseUrl);
    await page.getByLabel("Password").waitFor();
    // Signed out for real: the admin page sends this browser back to sign in.
    await page.goto(`${baseUrl}/admin`);
    await page.waitForURL(/\/login$/);
    await page.close();
  });
});
