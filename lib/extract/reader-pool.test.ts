import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createLogger, type LogRecord } from "../log";
import { ReaderPool } from "./reader-pool";

const run = promisify(execFile);
const URL_ = "https://news.example/story";
const article = (n: number) =>
  `<html lang="en"><head><title>Story ${n}</title></head><body><article><h1>Story ${n}</h1>${"<p>The river town rebuilt its library after the mill closed, and the reading room filled again every evening. </p>".repeat(8)}</article></body></html>`;

let pool: ReaderPool | null = null;
afterEach(async () => {
  await pool?.close();
  pool = null;
});

/** Waits (up to 5 s) for a worker count to settle: threads stop asynchronously after they are told to. */
async function until(settled: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !settled(); i++) await new Promise((resolve) => setTimeout(resolve, 50));
}

/** Stand-in workers that misbehave on purpose: one never answers, one spins on "slow", one exits, one answers at once. */
let fakes: string;
const fake = (name: string) => path.join(fakes, `${name}.mjs`);
beforeAll(() => {
  fakes = mkdtempSync(path.join(os.tmpdir(), "as-reader-pool-"));
  const port = `import { parentPort } from "node:worker_threads";\n`;
  writeFileSync(fake("hangs"), `${port}parentPort.on("message", () => {});\n`);
  writeFileSync(
    fake("slow-one"),
    `${port}parentPort.on("message", ({ id, request }) => { while (request.html === "slow"); parentPort.postMessage({ id, ok: true, value: request.html, heapUsed: 0 }); });\n`,
  );
  writeFileSync(fake("exits"), `${port}parentPort.on("message", () => process.exit(3));\n`);
  writeFileSync(
    fake("echoes"),
    `${port}parentPort.on("message", ({ id, request }) => parentPort.postMessage({ id, ok: true, value: request.html, heapUsed: 0 }));\n`,
  );
});
afterAll(() => rmSync(fakes, { recursive: true, force: true }));

describe("extraction worker pool", () => {
  it("keeps answering correctly across worker replacements (by page count)", async () => {
    pool = new ReaderPool({ pagesPerWorker: 3 });
    const titles: string[] = [];
    for (let n = 0; n < 8; n++) {
      titles.push((await pool.read({ op: "article", html: article(n), url: URL_, media: [] })).title);
    }
    expect(titles).toEqual(Array.from({ length: 8 }, (_, n) => `Story ${n}`));
    // 8 pages at 3 per worker: at least three workers served them.
    expect(pool.workersStarted).toBeGreaterThanOrEqual(3);
    // The used-up workers stopped: only the one serving now is left.
    await until(() => pool?.workersRunning === 1);
    expect(pool.workersRunning).toBe(1);
  });

  it("stops a retired worker once the pages it still had are answered", async () => {
    pool = new ReaderPool({ pagesPerWorker: 3 });
    // All at once: the first worker is retired while its three pages are still being read.
    const titles = await Promise.all(
      Array.from({ length: 8 }, (_, n) => pool?.read({ op: "article", html: article(n), url: URL_, media: [] })),
    );
    expect(titles.map((r) => r?.title)).toEqual(Array.from({ length: 8 }, (_, n) => `Story ${n}`));
    expect(pool.workersStarted).toBe(3);
    await until(() => pool?.workersRunning === 1);
    expect(pool.workersRunning).toBe(1);
    await pool.close();
    await until(() => pool?.workersRunning === 0);
    expect(pool.workersRunning).toBe(0);
  });

  it("starts the next worker while the current one serves its last pages, and hands over to it", async () => {
    pool = new ReaderPool({ pagesPerWorker: 10 });
    const read = async (n: number) =>
      expect((await pool?.read({ op: "article", html: article(n), url: URL_, media: [] }))?.title).toBe(`Story ${n}`);
    for (let n = 0; n < 9; n++) await read(n);
    expect(pool.workersStarted).toBe(1);
    // The tenth page (90 % of the worker's pages) starts the spare beside it…
    await read(9);
    expect(pool.workersStarted).toBe(2);
    // …and the spare, already warm, serves the eleventh: no third worker.
    await read(10);
    expect(pool.workersStarted).toBe(2);
  });

  it("replaces a worker whose heap passed the recycle threshold", async () => {
    // Any page leaves more than 1 MB of heap in use: every worker is replaced after its first page.
    pool = new ReaderPool({ heapRecycleMb: 1 });
    for (let n = 0; n < 4; n++) {
      expect((await pool.read({ op: "article", html: article(n), url: URL_, media: [] })).title).toBe(`Story ${n}`);
    }
    expect(pool.workersStarted).toBe(4);
  });

  it("reads concurrent pages, each getting its own answer", async () => {
    pool = new ReaderPool({ pagesPerWorker: 4 });
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, n) => pool?.read({ op: "article", html: article(n), url: URL_, media: [] })),
    );
    expect(results.map((r) => r?.title)).toEqual(Array.from({ length: 10 }, (_, n) => `Story ${n}`));
  });

  it("gives a huge page a worker of its own and keeps serving the rest", async () => {
    const bigPage = article(1) + "<!-- padding -->".repeat(200);
    pool = new ReaderPool({ bigPageChars: bigPage.length - 1 });
    const [big, ...rest] = await Promise.all([
      pool.read({ op: "article", html: bigPage, url: URL_, media: [] }),
      ...[2, 3, 4].map((n) => pool?.read({ op: "article", html: article(n), url: URL_, media: [] })),
    ]);
    expect(big.title).toBe("Story 1");
    expect(big.text).toContain("reading room filled again");
    expect(rest.map((r) => r?.title)).toEqual(["Story 2", "Story 3", "Story 4"]);
    // The shared worker for the three small pages, and one for the big page alone, stopped after it.
    expect(pool.workersStarted).toBe(2);
    await until(() => pool?.workersRunning === 1);
    expect(pool.workersRunning).toBe(1);
  });

  const paragraph = `<p>${"The mill closed and the town rebuilt its library, one shelf at a time. ".repeat(14)}</p>`;
  const huge = `<html><body><article>${paragraph.repeat(800)}</article></body></html>`;

  it("retries a page that exhausts the shared worker in a bigger worker of its own", async () => {
    pool = new ReaderPool({ maxHeapMb: 40, bigPageHeapMb: 1024, bigPageChars: Number.POSITIVE_INFINITY });
    const read = await pool.read({ op: "article", html: huge, url: URL_, media: [] });
    expect(read.text.length).toBeGreaterThan(700_000);
    expect((await pool.read({ op: "article", html: article(2), url: URL_, media: [] })).title).toBe("Story 2");
  });

  it("names a page too large for any worker, and keeps serving the rest", async () => {
    pool = new ReaderPool({ maxHeapMb: 40, bigPageHeapMb: 40, bigPageChars: Number.POSITIVE_INFINITY });
    await expect(pool.read({ op: "article", html: huge, url: URL_, media: [] })).rejects.toMatchObject({
      reason: "too_large",
      message: expect.stringMatching(/too large to read/),
      retriable: false,
    });
    expect((await pool.read({ op: "article", html: article(3), url: URL_, media: [] })).title).toBe("Story 3");
  });

  it("does not keep a finished process alive (a CLI run exits when its page is read)", async () => {
    const script = `import(${JSON.stringify(path.join(import.meta.dirname, "reader-pool.ts"))})
      .then((m) => new m.ReaderPool().read({ op: "media", html: "<audio src='a.mp3'></audio>", url: "https://x.example/" }))
      .then((media) => console.log(media.length))`;
    const { stdout } = await run(process.execPath, ["--import", "tsx", "-e", script], {
      timeout: 20_000,
    });
    expect(stdout.trim()).toBe("1");
  });

  it("names a page that is not an article, from inside the worker", async () => {
    pool = new ReaderPool();
    await expect(
      pool.read({ op: "article", html: "<html><body><p>Hi</p></body></html>", url: URL_, media: [] }),
    ).rejects.toMatchObject({ reason: "not_an_article" });
  });

  it("fails a page its worker never answers as a timeout, and stops that worker instead of reusing it", async () => {
    pool = new ReaderPool({ pageTimeoutMs: 200 }, fake("hangs"));
    const read = () => pool?.read({ op: "sanitize", html: "<p>x</p>" });
    await expect(read()).rejects.toMatchObject({ reason: "timeout", message: "Reading the page took too long" });
    await until(() => pool?.workersRunning === 0);
    expect(pool.workersRunning).toBe(0);
    await expect(read()).rejects.toMatchObject({ reason: "timeout" });
    expect(pool.workersStarted).toBe(2);
  });

  it("fails only the page that timed out: the pages queued behind it move to a fresh worker", async () => {
    pool = new ReaderPool({ pageTimeoutMs: 300 }, fake("slow-one"));
    const slow = pool.read({ op: "sanitize", html: "slow" });
    const innocent = pool.read({ op: "sanitize", html: "innocent" });
    await expect(slow).rejects.toMatchObject({ reason: "timeout", retriable: true });
    expect(await innocent).toBe("innocent");
    expect(pool.workersStarted).toBe(2);
  });

  it("does not retry the same page's timeout more than once", async () => {
    pool = new ReaderPool({ pageTimeoutMs: 200 }, fake("slow-one"));
    await expect(pool.read({ op: "sanitize", html: "slow" })).rejects.toMatchObject({ retriable: true });
    await expect(pool.read({ op: "sanitize", html: "slow" })).rejects.toMatchObject({
      reason: "timeout",
      retriable: false,
    });
  });

  it("fails the pages of a worker that exits as retriable, and starts a new one for the next page", async () => {
    pool = new ReaderPool({}, fake("exits"));
    const read = () => pool?.read({ op: "sanitize", html: "<p>x</p>" });
    // Not mistaken for running out of memory (which would retry the page in a big worker and call it too large).
    await expect(read()).rejects.toMatchObject({
      reason: "internal",
      message: "The extraction worker stopped",
      retriable: true,
    });
    await expect(read()).rejects.toMatchObject({ reason: "internal", retriable: true });
    expect(pool.workersStarted).toBe(2);
  });

  it("leaves no timer behind for an answered page: the worker keeps serving after the page timeout has passed", async () => {
    pool = new ReaderPool({ pageTimeoutMs: 3_000 }, fake("echoes"));
    expect(await pool.read({ op: "sanitize", html: "one" })).toBe("one");
    expect(await pool.read({ op: "sanitize", html: "two" })).toBe("two");
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    expect(await pool.read({ op: "sanitize", html: "three" })).toBe("three");
    expect(pool.workersStarted).toBe(1);
    expect(pool.workersRunning).toBe(1);
  });

  it("reads pages in-process, with a warning, when the worker file is missing from the bundle", async () => {
    const records: LogRecord[] = [];
    const logger = createLogger({ level: "debug", sink: (record) => records.push(record) });
    pool = new ReaderPool({}, path.join(fakes, "missing-worker.ts"), logger);
    expect(records.filter((r) => r.level === "warn").map((r) => r.msg)).toEqual([
      "extraction worker not found: reading pages in-process",
    ]);
    expect((await pool.read({ op: "article", html: article(5), url: URL_, media: [] })).title).toBe("Story 5");
    expect(await pool.read({ op: "media", html: "<audio src='a.mp3'></audio>", url: URL_ })).toHaveLength(1);
    expect(await pool.read({ op: "sanitize", html: "<p>ok<script>x()</script></p>" })).toBe("<p>ok</p>");
    expect(pool.workersStarted).toBe(0);
  });
});
