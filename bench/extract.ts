import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { Readability } from "@mozilla/readability";
import { JSDOM, VirtualConsole } from "jsdom";
import { extractStage } from "@/lib/pipeline/extract";
import type { Fetched } from "@/lib/pipeline/types";
import { corpusDir, percentile, round } from "./corpus";

/**
 * npm run bench:extract [-- <folder>] — extraction speed and memory over a folder of pages (default: the
 * Readability corpus, twice), ours against bare Readability + jsdom. Each mode runs in its own process so
 * their memory does not mix. Prints JSON.
 */
const PAGE_URL = "http://fakehost/test/page.html";
const mode = process.argv.find((a) => a.startsWith("--mode="))?.slice(7);
const folderArg = process.argv.slice(2).find((a) => !a.startsWith("--"));

async function runMode(which: "ours" | "bare", dir: string) {
  const pages = readdirSync(dir)
    .filter((name) => !name.startsWith("_"))
    .map((name) => path.join(dir, name, "source.html"))
    .filter((file) => {
      try {
        readFileSync(file);
        return true;
      } catch {
        return false;
      }
    })
    .map((file) => readFileSync(file, "utf8"));
  const timings: number[] = [];
  let peakRss = 0;
  let chars = 0;
  const started = performance.now();
  for (let round = 0; round < 2; round++) {
    for (const html of pages) {
      const t0 = performance.now();
      if (which === "bare") {
        const dom = new JSDOM(html, { url: PAGE_URL, virtualConsole: new VirtualConsole() });
        chars += new Readability(dom.window.document).parse()?.textContent?.length ?? 0;
        dom.window.close();
      } else {
        const fetched: Fetched = {
          requestedUrl: PAGE_URL,
          finalUrl: PAGE_URL,
          status: 200,
          contentType: "text/html",
          kind: "html",
          body: html,
          contentLength: html.length,
          redirects: [],
        };
        chars += await extractStage(fetched, { media: [] }).then(
          (e) => e.text.length,
          () => 0,
        );
      }
      timings.push(performance.now() - t0);
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    mode: which,
    pages: timings.length,
    seconds: round(seconds, 2),
    pagesPerSecond: round(timings.length / seconds),
    p50Ms: round(percentile(timings, 50)),
    p95Ms: round(percentile(timings, 95)),
    peakRssMb: round(peakRss / 1024 / 1024),
    textChars: chars,
  };
}

async function main() {
  const dir = corpusDir("readability-test-pages", folderArg);
  if (!dir) return;
  if (mode === "ours" || mode === "bare") {
    console.log(JSON.stringify(await runMode(mode, dir)));
    // The extraction worker may still be winding down; the measurement is done.
    process.exit(0);
  }
  const child = (which: string) =>
    JSON.parse(
      execFileSync(process.execPath, ["--import", "tsx", import.meta.filename, `--mode=${which}`, dir], {
        encoding: "utf8",
        maxBuffer: 1 << 20,
      })
        .trim()
        .split("\n")
        .at(-1) ?? "{}",
    ) as Awaited<ReturnType<typeof runMode>>;
  const bare = child("bare");
  const ours = child("ours");
  console.log(
    JSON.stringify(
      {
        corpus: dir,
        bare,
        ours,
        timeRatio: round(ours.seconds / bare.seconds, 2),
        rssRatio: round(ours.peakRssMb / bare.peakRssMb, 2),
      },
      null,
      2,
    ),
  );
}

void main();
