import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Article, Highlight } from "@/lib/domain";
import { createPostgresExecutor } from "@/lib/store/sql";
import { createSqlStore } from "@/lib/store/sql-store";
import type { Store } from "@/lib/store/store";
import { freshDatabase, ROOT } from "../helpers/app-server";
import { type E2eApp, E2E_PASSWORD as PASSWORD, startE2eApp, E2E_TOKEN as TOKEN } from "../helpers/e2e-app";
import { type FixtureServer, startFixtureServer } from "../helpers/fixture-server";
import { CHROMIUM_PATH, serviceAvailable } from "../helpers/services";
import { article } from "../integration/store-fixtures";

/**
 * The reader's tool in a browser against `next start`: library triage by keyboard and mouse with undo, title, tags
 * and note edits, highlights from a selection, a transcript highlight seeking the player, the reading position
 * restored, the share target after sign-in; axe light and dark and screenshots at 1280 and 390 px of each new view.
 */

const ARTIFACTS = path.join(ROOT, "tests/e2e/artifacts");
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: AXE_SOURCE });
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: AxeViolation[] }> } }
    ).axe;
    const tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
    return (await axe.run(document, { runOnly: { type: "tag", values: tags } })).violations;
  });
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

const redisUp = (await serviceAvailable("redis")) && (await serviceAvailable("postgres"));
const chromiumPresent = existsSync(CHROMIUM_PATH);
if (!chromiumPresent && process.env.REQUIRE_SERVICES === "1") throw new Error(`No Chromium at ${CHROMIUM_PATH}`);

/** Under a loaded machine one page.evaluate may take longer than expect.poll's 1 s default: a bound, not a timing. */
const POLL = { timeout: 15_000 };

const LONG_TEXT = Array.from(
  { length: 60 },
  (_, i) =>
    `Paragraph ${i + 1}: the harbour town kept its lighthouse lit through the winter storms, and the keepers wrote down every ship that passed.`,
).join("\n\n");

describe.skipIf(!redisUp || !chromiumPresent)("reader's tool end to end (next start + Chromium)", () => {
  let app: E2eApp | undefined;
  let site: FixtureServer;
  let browser: Browser;
  let signedIn: BrowserContext;
  let baseUrl: string;
  let dir: string;
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let store: Store;
  let essay: Article;
  let podcast: Article;
  let others: Article[];
  const auth = { Authorization: `Bearer ${TOKEN}` };
  const api = async <T>(url: string): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${baseUrl}${url}`, { headers: auth });
    return { status: response.status, body: (await response.json().catch(() => null)) as T };
  };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "as-reader-e2e-"));
    execFileSync("sox", ["-n", "-r", "8000", "-c", "1", path.join(dir, "episode.wav"), "synth", "60", "sine", "330"]);
    writeFileSync(
      path.join(dir, "shared.html"),
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shared story</title></head><body><main><h1>Shared story</h1><p>${LONG_TEXT.slice(0, 2000)}</p></main></body></html>`,
    );
    site = await startFixtureServer(dir);
    database = await freshDatabase();
    store = await createSqlStore(createPostgresExecutor(database.url));
    // Newest first in the library: the essay is saved last.
    others = [
      await store.upsertArticle(
        article({
          title: "Tide mills of the Atlantic coast",
          summary: { tldr: "Mills.", keyPoints: [], markdown: "", tags: ["mills"] },
        }),
      ),
      await store.upsertArticle(
        article({
          title: "Night trains return to Europe",
          summary: { tldr: "Trains.", keyPoints: [], markdown: "", tags: ["trains"] },
        }),
      ),
    ];
    podcast = await store.upsertArticle(
      article({
        title: "Episode 9: The keeper's log",
        siteName: "Harbor Radio",
        text: "Show notes for episode nine.",
        media: [{ kind: "audio", url: `${site.origin}/episode.wav`, type: "audio/wav" }],
        transcript: {
          source: "openai",
          text: "Welcome to Harbor Radio. Tonight the keeper reads from her log.",
          segments: [
            { start: 0, end: 3, text: "Welcome to Harbor Radio." },
            { start: 12, end: 18, text: "Tonight the keeper reads from her log." },
          ],
        },
      }),
    );
    essay = await store.upsertArticle(
      article({
        title: "The lighthouse keepers of Harbour Town",
        text: LONG_TEXT,
        // Its last figure points at an internal address: the page must show the alt text, never load it.
        html: `${LONG_TEXT.split("\n\n")
          .map((p) => `<p>${p}</p>`)
          .join("")}<figure><img src="https://10.0.0.1/keepers-log.png" alt="A chart of the keepers' log"></figure>`,
        summary: {
          tldr: "Keepers kept the light.",
          keyPoints: ["Storms", "Ships"],
          markdown: "",
          tags: ["lighthouses"],
        },
      }),
    );

    app = await startE2eApp({
      databaseUrl: database.url,
      env: { FETCH_ALLOWLIST: site.hostPort },
      browserArgs: ["--autoplay-policy=no-user-gesture-required"],
    });
    ({ baseUrl, browser, signedIn } = app);
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  afterAll(async () => {
    await app?.stop();
    await site?.close();
    await store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    await database?.drop();
  });

  it("is installable: a manifest with icons and a share target", async () => {
    const manifest = (await (await fetch(`${baseUrl}/manifest.webmanifest`)).json()) as {
      icons: { src: string; sizes: string; purpose?: string }[];
      share_target: { action: string; params: Record<string, string> };
      start_url: string;
    };
    expect(manifest.share_target).toMatchObject({ action: "/share", params: { url: "url", text: "text" } });
    expect(manifest.icons.map((i) => i.sizes)).toEqual(expect.arrayContaining(["192x192", "512x512"]));
    expect(manifest.icons.some((i) => i.purpose === "maskable")).toBe(true);
    for (const icon of manifest.icons) {
      const response = await fetch(`${baseUrl}${icon.src}`);
      expect(response.headers.get("content-type")).toBe("image/png");
      const bytes = Buffer.from(await response.arrayBuffer());
      expect(bytes.subarray(1, 4).toString("ascii")).toBe("PNG");
      expect(`${bytes.readUInt32BE(16)}x${bytes.readUInt32BE(20)}`).toBe(icon.sizes);
    }
    const home = await (await signedIn.request.get(`${baseUrl}/login`)).text();
    expect(home).toContain('rel="manifest"');
  });

  it("triages the inbox by keyboard and by mouse, with undo", async () => {
    const page = await signedIn.newPage();
    await page.goto(`${baseUrl}/articles`);
    // A favourite's title carries a star.
    const titles = async () =>
      (await page.locator(".library-title").allTextContents()).map((t) => t.replace(/^★\s*/, ""));
    await page.locator(".library-title").first().waitFor();
    expect(await titles()).toEqual([
      essay.title,
      podcast.title,
      "Night trains return to Europe",
      "Tide mills of the Atlantic coast",
    ]);
    await page.locator("body").click({ position: { x: 5, y: 5 } });

    // j moves to the second item; e archives it (it leaves the inbox), Undo brings it back.
    await page.keyboard.press("j");
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe(podcast.title);
    await page.keyboard.press("e");
    await expect.poll(titles).not.toContain(podcast.title);
    await expect.poll(async () => (await api<Article>(`/api/articles/${podcast.id}`)).body.state).toBe("archived");
    await page.getByRole("button", { name: "Undo" }).click();
    await expect.poll(titles).toContain(podcast.title);
    await expect.poll(async () => (await api<Article>(`/api/articles/${podcast.id}`)).body.state).toBe("inbox");

    // f favourites the selected item; k moves back up.
    await page.keyboard.press("j");
    await page.keyboard.press("f");
    await expect.poll(async () => (await api<Article>(`/api/articles/${others[1]?.id}`)).body.favorite).toBe(true);
    await page.keyboard.press("k");
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe(podcast.title);

    // # deletes with undo: nothing is deleted while the undo is offered.
    await page.keyboard.press("#");
    await expect.poll(titles).not.toContain(podcast.title);
    await page.getByRole("button", { name: "Undo" }).click();
    await expect.poll(titles).toContain(podcast.title);
    expect((await api(`/api/articles/${podcast.id}`)).status).toBe(200);

    // By mouse: delete the last item and let the undo window pass.
    const last = others[0] as Article;
    await page
      .getByRole("group", { name: `Actions for ${last.title}` })
      .getByRole("button", { name: "Delete" })
      .click();
    await expect.poll(async () => (await api(`/api/articles/${last.id}`)).status, { timeout: 15_000 }).toBe(404);

    // By mouse: archive, then find it in the Archive view.
    await page
      .getByRole("group", { name: `Actions for ${others[1]?.title}` })
      .getByRole("button", { name: "Archive" })
      .click();
    await expect.poll(titles).not.toContain(others[1]?.title);
    await expect.poll(async () => (await api<Article>(`/api/articles/${others[1]?.id}`)).body.state).toBe("archived");
    await page.getByRole("link", { name: "Archive" }).click();
    await page.waitForURL(/state=archived/);
    await expect.poll(titles).toEqual([others[1]?.title]);
    const favourite = page.getByRole("group", { name: `Actions for ${others[1]?.title}` }).getByRole("button", {
      name: "Favourite",
    });
    expect(await favourite.getAttribute("aria-pressed")).toBe("true");
    await page.close();
  });

  it("edits the title, tags and note; highlights a selection with a note; restores the reading position", async () => {
    const page = await signedIn.newPage();
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`${baseUrl}/articles/${essay.id}`);
    await page.getByRole("button", { name: "Edit title and tags" }).click();
    await page.getByRole("textbox", { name: "Title", exact: true }).fill("Keepers of the Harbour Light");
    await page.getByRole("textbox", { name: "Tags", exact: true }).fill("lighthouses, Storms, storms");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByRole("heading", { level: 1, name: "Keepers of the Harbour Light" }).waitFor();
    const edited = (await api<Article>(`/api/articles/${essay.id}`)).body;
    expect(edited.title).toBe("Keepers of the Harbour Light");
    expect(edited.summary.tags).toEqual(["lighthouses", "storms"]);

    await page.locator(".note-box summary").click();
    await page.getByRole("textbox", { name: "Note" }).fill("Compare with the Eddystone log.");
    await page.getByRole("button", { name: "Save note" }).click();
    await page.getByText("Note saved").waitFor();

    // Select a passage of the original text: the highlight panel offers it.
    await page.locator("details.original > summary").click();
    await page.evaluate(() => {
      const paragraph = document.querySelector("[data-highlightable] p:nth-of-type(3)");
      const text = paragraph?.firstChild;
      if (!text) throw new Error("no paragraph");
      const range = document.createRange();
      range.setStart(text, 14);
      range.setEnd(text, 60);
      document.getSelection()?.removeAllRanges();
      document.getSelection()?.addRange(range);
    });
    const panel = page.getByRole("form", { name: "New highlight" });
    await panel.waitFor();
    await panel.getByLabel("Note (optional)").fill("Winter storms again");
    await panel.getByRole("button", { name: "Save highlight" }).click();
    await page.getByText("Highlight saved").waitFor();
    const { highlights } = (await api<{ highlights: Highlight[] }>(`/api/articles/${essay.id}/highlights`)).body;
    expect(highlights).toHaveLength(1);
    expect(highlights[0]).toMatchObject({ source: "text", note: "Winter storms again" });
    expect(LONG_TEXT).toContain(highlights[0]?.quote);
    await page.locator(".highlight-list").getByText("Winter storms again").waitFor();
    const markdown = await (await fetch(`${baseUrl}/api/articles/${essay.id}?format=md`, { headers: auth })).text();
    expect(markdown).toContain("## Highlights");
    expect(markdown).toContain("Compare with the Eddystone log.");

    // Scroll half-way, leave, come back: the page opens where the reader stopped.
    await page.evaluate(() =>
      window.scrollTo({ top: (document.documentElement.scrollHeight - window.innerHeight) / 2 }),
    );
    await expect
      .poll(async () => (await api<Article>(`/api/articles/${essay.id}`)).body.position.fraction ?? 0, {
        timeout: 10_000,
      })
      .toBeGreaterThan(0.4);
    await page.goto(`${baseUrl}/articles/${essay.id}`);
    await expect
      .poll(() => page.evaluate(() => window.scrollY / (document.documentElement.scrollHeight - window.innerHeight)))
      .toBeGreaterThan(0.35);
    await page.close();
  });

  it("runs no inline script without the response's nonce: every script Next.js writes carries it", async () => {
    for (const url of ["/login", "/articles", `/articles/${essay.id}`]) {
      const response = await fetch(`${baseUrl}${url}`, { headers: auth });
      const csp = response.headers.get("content-security-policy") ?? "";
      const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
      expect(nonce, url).toBeTruthy();
      expect(csp, url).not.toMatch(/script-src[^;]*unsafe-inline/);
      const scripts = [...(await response.text()).matchAll(/<script\b[^>]*>/g)].map(([tag]) => tag);
      expect(scripts.length, url).toBeGreaterThan(0);
      expect(
        scripts.filter((tag) => !tag.includes(`nonce="${nonce}"`)),
        url,
      ).toEqual([]);
    }
  });

  it("shows an image of the saved HTML that points at an internal address as its alt text, never as an <img>", async () => {
    const page = await signedIn.newPage();
    await page.goto(`${baseUrl}/articles/${essay.id}`);
    // Server-rendered: the original text is in the page whether its <details> is open or not.
    const original = page.locator("[data-highlightable]");
    await original.waitFor({ state: "attached" });
    expect(await original.textContent()).toContain("A chart of the keepers' log");
    expect(await page.locator("[data-highlightable] img").count()).toBe(0);
    await page.close();
  });

  it("a transcript highlight keeps its time, and its time seeks the player", async () => {
    const created = await fetch(`${baseUrl}/api/articles/${podcast.id}/highlights`, {
      method: "POST",
      headers: { ...auth, "Content-Type": "application/json" },
      body: JSON.stringify({ quote: "the keeper reads from her log", note: "Her voice" }),
    });
    expect(created.status).toBe(201);
    expect(((await created.json()) as Highlight).startSec).toBe(12);
    const page = await signedIn.newPage();
    await page.goto(`${baseUrl}/articles/${podcast.id}`);
    await page.locator(".highlights").getByRole("button", { name: "Play from 0:12" }).click();
    await expect
      .poll(() => page.locator("audio").evaluate((audio: HTMLAudioElement) => audio.currentTime))
      .toBeGreaterThanOrEqual(12);
    await page.close();
  });

  it("paints highlights in the text and the transcript: across inline elements and paragraphs, overlapping, repeated; live on save and remove", async () => {
    const html =
      "<h2>The keeper's log</h2>" +
      '<p>The lamp was lit at <em>dusk</em> and <strong>trimmed   at <a href="https://example.com/midnight">midnight</a></strong>, every night of the year.</p>' +
      "<p>Storms came from the west.</p><ul><li>Oil</li><li>Wicks</li></ul><p>The lamp was lit again at dawn.</p>";
    const logbook = await store.upsertArticle(
      article({
        title: "The keeper's logbook",
        html,
        text: "The keeper's log\nThe lamp was lit at dusk and trimmed at midnight, every night of the year.\nStorms came from the west.\nOil\nWicks\nThe lamp was lit again at dawn.",
      }),
    );
    const add = async (articleId: string, quote: string, note?: string): Promise<Highlight> => {
      const response = await fetch(`${baseUrl}/api/articles/${articleId}/highlights`, {
        method: "POST",
        headers: { ...auth, "Content-Type": "application/json" },
        body: JSON.stringify({ quote, ...(note ? { note } : {}) }),
      });
      expect(response.status).toBe(201);
      return (await response.json()) as Highlight;
    };
    // Across <em>, <strong> and <a>, with the stored text's single space where the page has three.
    const routine = await add(logbook.id, "lit at dusk and trimmed at midnight", "The routine, twice a day");
    // Overlapping the first and running into the next paragraph.
    const storms = await add(logbook.id, "midnight, every night of the year. Storms came");
    // Twice in the text, and overlapping the first at "lit".
    const lamp = await add(logbook.id, "The lamp was lit");

    const page = await signedIn.newPage();
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`${baseUrl}/articles/${logbook.id}`);
    const prose = page.locator("details.original .prose");
    const painted = (id: string) =>
      prose.evaluate(
        (root, highlightId) =>
          [...root.querySelectorAll("mark[data-highlight-ids]")]
            .filter((m) => m.getAttribute("data-highlight-ids")?.split(" ").includes(highlightId))
            .map((m) => m.textContent ?? ""),
        id,
      );
    await expect
      .poll(() => painted(routine.id), POLL)
      .toEqual(["lit", " at ", "dusk", " and ", "trimmed   at ", "midnight"]);
    expect((await painted(storms.id)).join("")).toBe("midnight, every night of the year.Storms came");
    expect(await painted(lamp.id)).toEqual(["The lamp was ", "lit", "The lamp was lit"]);
    // Painting moves no text and keeps the markup: the link still holds its word, the list holds only items.
    const text = await prose.evaluate((root) => root.textContent);
    const stored = await page.evaluate((source) => {
      const holder = document.createElement("div");
      holder.innerHTML = source;
      return holder.textContent;
    }, html);
    expect(text).toBe(stored);
    expect(await prose.locator('a[href="https://example.com/midnight"]').textContent()).toBe("midnight");
    expect(await prose.locator("ul > :not(li)").count()).toBe(0);

    // Each highlight's place in the text is a stop for the keyboard; focus shows its note, which is its description.
    const first = prose.locator(`mark[data-highlight-start~="${routine.id}"]`);
    expect(await first.count()).toBe(1);
    await first.focus();
    const tip = page.getByTestId("highlight-tip");
    await expect.poll(() => tip.isVisible(), POLL).toBe(true);
    expect(await tip.textContent()).toContain("The routine, twice a day");
    const description = await first.evaluate((mark) =>
      (mark.getAttribute("aria-describedby") ?? "")
        .split(" ")
        .map((id) => document.getElementById(id)?.textContent ?? "")
        .join(" "),
    );
    expect(description).toContain("The routine, twice a day");
    // With the note shown, the page passes axe light and dark.
    for (const scheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const v of await seriousViolations(page)) throw new Error(`painted highlights ${scheme}: ${v}`);
      await page.screenshot({ path: path.join(ARTIFACTS, `reader-painted-1280-${scheme}.png`) });
    }
    await page.emulateMedia({ colorScheme: "light" });
    await page.keyboard.press("Escape");
    await expect.poll(() => tip.isVisible(), POLL).toBe(false);
    // Hover shows it too.
    await page.mouse.move(0, 0);
    await first.hover();
    await expect.poll(() => tip.isVisible(), POLL).toBe(true);
    await page.mouse.move(0, 0);

    // A highlight in the list takes the reader to its place in the text, opening the original text if closed.
    await page.locator("details.original > summary").click();
    expect(await page.locator("details.original").getAttribute("open")).toBeNull();
    await page
      .locator(".highlight-list li")
      .filter({ hasText: "midnight, every night of the year. Storms came" })
      .getByRole("button", { name: "Show in text" })
      .click();
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.getAttribute("data-highlight-start")))
      .toContain(storms.id);
    expect(await page.locator("details.original").getAttribute("open")).not.toBeNull();

    // A new highlight from a selection is painted at once, without a reload.
    await page.evaluate(() => {
      const paragraph = [...document.querySelectorAll("[data-highlightable] p")].find((p) =>
        p.textContent?.startsWith("The lamp was lit again"),
      );
      if (!paragraph) throw new Error("no paragraph");
      const range = document.createRange();
      range.selectNodeContents(paragraph);
      document.getSelection()?.removeAllRanges();
      document.getSelection()?.addRange(range);
    });
    await page.getByRole("form", { name: "New highlight" }).getByRole("button", { name: "Save highlight" }).click();
    await page.getByText("Highlight saved").waitFor();
    const { highlights } = (await api<{ highlights: Highlight[] }>(`/api/articles/${logbook.id}/highlights`)).body;
    const dawn = highlights.find((h) => h.quote === "The lamp was lit again at dawn.");
    if (!dawn) throw new Error(`not saved: ${JSON.stringify(highlights.map((h) => h.quote))}`);
    await expect.poll(async () => (await painted(dawn.id)).join(""), POLL).toBe("The lamp was lit again at dawn.");

    // Removing a highlight unpaints it; the text is whole again.
    await page
      .locator(".highlight-list li")
      .filter({ hasText: "lit at dusk and trimmed at midnight" })
      .getByRole("button", { name: /^Remove highlight/ })
      .click();
    await expect.poll(() => painted(routine.id), POLL).toEqual([]);
    expect((await painted(storms.id)).join("")).toBe("midnight, every night of the year.Storms came");
    expect(await prose.evaluate((root) => root.textContent)).toBe(stored);

    // The marks fit a phone.
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(1);
    await page.close();

    // The transcript: a quote across two of its paragraphs is painted there, and its search still finds words.
    const spoken = await add(podcast.id, "Welcome to Harbor Radio. Tonight the keeper");
    const listener = await signedIn.newPage();
    await listener.goto(`${baseUrl}/articles/${podcast.id}`);
    const transcript = listener.locator(".transcript");
    const spokenMarks = () =>
      transcript.evaluate(
        (root, id) =>
          [...root.querySelectorAll("mark[data-highlight-ids]")]
            .filter((m) => m.getAttribute("data-highlight-ids")?.split(" ").includes(id))
            .map((m) => m.textContent ?? ""),
        spoken.id,
      );
    // One mark per paragraph at least (other highlights of the episode may split them further).
    await expect.poll(async () => (await spokenMarks()).join("|"), POLL).toMatch(/^Welcome to Harbor Radio\.\|Tonight/);
    expect((await spokenMarks()).join("")).toBe("Welcome to Harbor Radio.Tonight the keeper");
    await listener.getByRole("searchbox", { name: "Search the transcript" }).fill("keeper");
    await expect.poll(() => listener.getByTestId("transcript-matches").textContent(), POLL).toBe("1 match");
    expect(await transcript.locator("mark.search-hit").textContent()).toBe("keeper");
    expect((await spokenMarks()).join("")).toBe("Welcome to Harbor Radio.Tonight the keeper");
    expect(
      await transcript
        .locator("mark.search-hit")
        .evaluate((hit) => hit.closest("mark[data-highlight-ids]")?.getAttribute("data-highlight-ids")),
    ).toContain(spoken.id);
    await listener
      .locator(".highlight-list li")
      .filter({ hasText: "Welcome to Harbor Radio. Tonight the keeper" })
      .getByRole("button", { name: /^Remove highlight/ })
      .click();
    await expect.poll(spokenMarks, POLL).toEqual([]);
    await listener.close();
  });

  it("the share target submits the shared link after sign-in", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const shared = `${site.origin}/shared.html`;
    await page.goto(`${baseUrl}/share?${new URLSearchParams({ title: "Shared story", text: `Read this: ${shared}` })}`);
    await page.waitForURL(/\/login\?next=/);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/admin\?job=/, { timeout: 30_000 });
    const jobId = new URL(page.url()).searchParams.get("job");
    const job = (await api<{ url: string }>(`/api/jobs/${jobId}`)).body;
    expect(job.url).toBe(shared);
    await context.close();
  });

  it("a link from another site to the share target waits for the button", async () => {
    const page = await signedIn.newPage();
    await page.setExtraHTTPHeaders({ "Sec-Fetch-Site": "cross-site" });
    await page.goto(`${baseUrl}/share?url=${encodeURIComponent(`${site.origin}/other.html`)}`);
    await page.getByRole("button", { name: "Summarize" }).waitFor();
    expect(await page.getByLabel("URL").inputValue()).toBe(`${site.origin}/other.html`);
    expect(page.url()).toContain("/share");
    await page.close();
  });

  it("every new view passes axe light and dark and fits 1280 and 390 px", async () => {
    const pages: [name: string, url: string][] = [
      ["reader-inbox", "/articles"],
      ["reader-archive", "/articles?state=archived"],
      ["reader-article", `/articles/${essay.id}`],
      ["reader-podcast", `/articles/${podcast.id}`],
      ["reader-share", "/share?text=no+link+here"],
    ];
    const problems: string[] = [];
    for (const scheme of ["light", "dark"] as const) {
      for (const [width, height] of [
        [1280, 900],
        [390, 844],
      ] as const) {
        for (const [name, url] of pages) {
          const page = await signedIn.newPage();
          await page.setViewportSize({ width, height });
          await page.emulateMedia({ colorScheme: scheme, reducedMotion: "reduce" });
          await page.goto(`${baseUrl}${url}`);
          await page.waitForLoadState("load");
          if (name === "reader-article") {
            // The edit form, the note and the highlight panel open, so axe sees them too.
            await page.getByRole("button", { name: "Edit title and tags" }).click();
            await page.evaluate(() => window.scrollTo(0, 0));
          }
          await page.screenshot({
            path: path.join(ARTIFACTS, `${name}-${width}-${scheme}.png`),
            fullPage: width === 390,
          });
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
          if (overflow > 1) problems.push(`${name} ${width}px ${scheme}: ${overflow}px wider than the screen`);
          if (width === 1280) for (const v of await seriousViolations(page)) problems.push(`${name} ${scheme}: ${v}`);
          await page.close();
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
