import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import type { Fetched } from "@/lib/domain";
import { createReader } from "@/lib/extract/reader-pool";
import { normalizeText } from "@/lib/extract/text";
import { extractStage } from "@/lib/pipeline/extract";
import { corpusDir, f1, percentile, round } from "./corpus";

/**
 * npm run bench:extract [-- <folder>] [--rounds=2] [--soak=1000] — extraction speed and memory over a folder of pages (default: the
 * Readability corpus, twice), ours against bare Readability + jsdom. Each mode runs in its own process so
 * their memory does not mix; each writes the texts it got, and the two are compared (token F1) to show the
 * speed does not come from reading less. Prints JSON.
 */
const PAGE_URL = "http://fakehost/test/page.html";
const mode = process.argv.find((a) => a.startsWith("--mode="))?.slice(7);
const textsFile = process.argv.find((a) => a.startsWith("--texts="))?.slice(8);
const reader = createReader();
const folderArg = process.argv.slice(2).find((a) => !a.startsWith("--"));

/** The pages' files; each is read when its turn comes, so the corpus itself does not sit in the measured memory. */
function pageFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => !name.startsWith("_"))
    .map((name) => path.join(dir, name, "source.html"))
    .filter((file) => existsSync(file));
}

const cpuSeconds = (since: NodeJS.CpuUsage) => {
  const { user, system } = process.cpuUsage(since);
  return (user + system) / 1e6;
};

const htmlPage = (html: string): Fetched => ({
  requestedUrl: PAGE_URL,
  finalUrl: PAGE_URL,
  status: 200,
  contentType: "text/html",
  kind: "html",
  body: html,
  contentLength: html.length,
  redirects: [],
});

/** `--soak=N`: N extractions in one process, cycling through the corpus; memory should stay flat. */
async function soak(dir: string, total: number) {
  const pages = pageFiles(dir);
  const rssMbAfter: Record<number, number> = {};
  let peakRss = 0;
  const started = performance.now();
  for (let n = 1; n <= total; n++) {
    await extractStage(
      htmlPage(readFileSync(pages[(n - 1) % pages.length] ?? "", "utf8")),
      { media: [] },
      { reader },
    ).catch(() => null);
    const rss = process.memoryUsage().rss;
    peakRss = Math.max(peakRss, rss);
    if (n % Math.max(1, Math.floor(total / 10)) === 0 || n === total) rssMbAfter[n] = round(rss / 1024 / 1024);
  }
  const checkpoints = Object.values(rssMbAfter);
  return {
    mode: "soak",
    extractions: total,
    seconds: round((performance.now() - started) / 1000, 1),
    peakRssMb: round(peakRss / 1024 / 1024),
    rssMbAfter,
    // Growth over the second half of the run: a leak shows here, warm-up does not.
    secondHalfGrowthMb: round((checkpoints.at(-1) ?? 0) - (checkpoints[Math.floor(checkpoints.length / 2) - 1] ?? 0)),
  };
}

async function runMode(which: "ours" | "bare", dir: string) {
  const pages = pageFiles(dir);
  // Bare mode's libraries are loaded only in its own process: the measured server should not carry them.
  const bare = which === "bare" ? { ...(await import("jsdom")), ...(await import("@mozilla/readability")) } : null;
  const timings: number[] = [];
  let peakRss = 0;
  let chars = 0;
  const texts: string[] = [];
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  // How long the process's event loop was blocked: what a server would feel while pages are read.
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  for (let pass = 0; pass < 2; pass++) {
    for (const file of pages) {
      const html = readFileSync(file, "utf8");
      const t0 = performance.now();
      if (bare) {
        const dom = new bare.JSDOM(html, { url: PAGE_URL, virtualConsole: new bare.VirtualConsole() });
        const text = normalizeText(new bare.Readability(dom.window.document).parse()?.textContent ?? "");
        if (pass === 0) texts.push(text);
        chars += text.length;
        dom.window.close();
      } else {
        const text = await extractStage(htmlPage(html), { media: [] }, { reader }).then(
          (e) => e.text,
          () => "",
        );
        if (pass === 0) texts.push(text);
        chars += text.length;
      }
      timings.push(performance.now() - t0);
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  loopDelay.disable();
  if (textsFile) writeFileSync(textsFile, JSON.stringify(texts));
  return {
    mode: which,
    pages: timings.length,
    seconds: round(seconds, 2),
    // CPU time of every thread (the extraction worker included): steadier than wall time on a shared machine.
    cpuSeconds: round(cpuSeconds(cpuStart), 2),
    pagesPerSecond: round(timings.length / seconds),
    p50Ms: round(percentile(timings, 50)),
    p95Ms: round(percentile(timings, 95)),
    peakRssMb: round(peakRss / 1024 / 1024),
    // Bare mode reads every page synchronously: its loop is blocked for the whole run, and the monitor never samples.
    eventLoopBlockedMaxMs: bare ? null : round(loopDelay.max / 1e6),
    textChars: chars,
  };
}

async function main() {
  const dir = corpusDir("readability-test-pages", folderArg);
  if (!dir) return;
  const soakCount = Number(process.argv.find((a) => a.startsWith("--soak="))?.slice(7) ?? 0);
  if (soakCount > 0) {
    console.log(JSON.stringify(await soak(dir, soakCount), null, 2));
    process.exit(0);
  }
  if (mode === "ours" || mode === "bare") {
    console.log(JSON.stringify(await runMode(mode, dir)));
    // The extraction worker may still be winding down; the measurement is done.
    process.exit(0);
  }
  const scratch = mkdtempSync(path.join(tmpdir(), "bench-extract-"));
  const textsOf = (which: string) => JSON.parse(readFileSync(path.join(scratch, which), "utf8")) as string[];
  const child = (which: string) =>
    JSON.parse(
      execFileSync(
        process.execPath,
        ["--import", "tsx", import.meta.filename, `--mode=${which}`, `--texts=${path.join(scratch, which)}`, dir],
        {
          encoding: "utf8",
          maxBuffer: 1 << 20,
        },
      )
        .trim()
        .split("\n")
        .at(-1) ?? "{}",
    ) as Awaited<ReturnType<typeof runMode>>;
  // This machine's speed drifts by tens of percent over minutes: the modes alternate, and each keeps its best round.
  const rounds = Number(process.argv.find((a) => a.startsWith("--rounds="))?.slice(9) ?? 2);
  type Run = ReturnType<typeof child>;
  const best = (a: Run | undefined, b: Run) => (a && a.seconds <= b.seconds ? a : b);
  let bare: Run | undefined;
  let ours: Run | undefined;
  const roundRatios: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const b = child("bare");
    const o = child("ours");
    roundRatios.push(round(o.seconds / b.seconds, 2));
    bare = best(bare, b);
    ours = best(ours, o);
  }
  if (!bare || !ours) return;
  const bareTexts = textsOf("bare");
  const agreement = textsOf("ours").map((text, i) => f1(text, bareTexts[i] ?? ""));
  console.log(
    JSON.stringify(
      {
        corpus: dir,
        bare,
        ours,
        rounds,
        timeRatio: round(ours.seconds / bare.seconds, 2),
        timeRatioPerRound: roundRatios,
        cpuTimeRatio: round(ours.cpuSeconds / bare.cpuSeconds, 2),
        rssRatio: round(ours.peakRssMb / bare.peakRssMb, 2),
        sameTextAsBare: {
          meanF1: round(agreement.reduce((a, b) => a + b, 0) / agreement.length, 3),
          pagesAtLeast099: agreement.filter((x) => x >= 0.99).length,
          pages: agreement.length,
        },
      },
      null,
      2,
    ),
  );
}

void main();
