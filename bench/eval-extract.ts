import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readability } from "@mozilla/readability";
import { JSDOM, VirtualConsole } from "jsdom";
import type { Fetched } from "@/lib/domain";
import { decodeBody } from "@/lib/extract/charset";
import { parseFeed } from "@/lib/extract/feed";
import { createReader } from "@/lib/extract/reader-pool";
import { normalizeText } from "@/lib/extract/text";
import { createLogger } from "@/lib/log";
import { detectStage } from "@/lib/pipeline/detect-media";
import { extractStage } from "@/lib/pipeline/extract";
import { corpusDir, f1, round } from "./corpus";

/**
 * npm run eval:extract [-- --sample=N] [--only=readability,trafilatura,media] [--no-bare] [--details=file.json] — quality
 * against the evaluation corpora (when present): text token F1 and metadata against Readability's expectations;
 * boilerplate precision/recall on trafilatura's multilingual benchmark, per language, beside bare Readability;
 * media detection against the media manifests. `--sample=N` reads every Nth trafilatura page (quick iterations);
 * `--details` writes each trafilatura page's missed and leaked segments (for reading, never for the repo).
 */
const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const only = arg("only")?.split(",");
const wanted = (corpus: string) => !only || only.includes(corpus);
const PAGE_URL = "http://fakehost/test/page.html";
const reader = createReader();

const html = (kind: Fetched["kind"], body: string, url = PAGE_URL, contentType = "text/html"): Fetched => ({
  requestedUrl: url,
  finalUrl: url,
  status: 200,
  contentType,
  kind,
  body,
  contentLength: body.length,
  redirects: [],
});

async function readabilityCorpus(dir: string) {
  const manifest = JSON.parse(readFileSync(path.join(dir, "MANIFEST.json"), "utf8")) as {
    name: string;
    title: string | null;
    byline: string | null;
    excerpt: string | null;
    siteName: string | null;
    readerable: boolean;
  }[];
  const scores: { name: string; f1: number; bareF1: number; error?: string }[] = [];
  const fields = { title: 0, byline: 0, excerpt: 0, siteName: 0 };
  const titleMisses: string[] = [];
  for (const entry of manifest) {
    const source = readFileSync(path.join(dir, entry.name, "source.html"), "utf8");
    // The corpus keeps the expectations of Readability 0.6.0 (the version we run) where they differ from newer ones.
    const pinned = path.join(dir, "_at-0.6.0", entry.name, "expected.html");
    const expectedFile = existsSync(pinned) ? pinned : path.join(dir, entry.name, "expected.html");
    const expected = new JSDOM(readFileSync(expectedFile, "utf8")).window.document.body.textContent ?? "";
    // Bare Readability on the same page: what the library itself achieves, to tell our losses from its own.
    const bareDom = new JSDOM(source, { url: PAGE_URL, virtualConsole: new VirtualConsole() });
    const bareF1 = f1(new Readability(bareDom.window.document).parse()?.textContent ?? "", expected);
    bareDom.window.close();
    try {
      const got = await extractStage(html("html", source), { media: [] }, { reader });
      scores.push({ name: entry.name, f1: f1(got.text, expected), bareF1 });
      for (const field of Object.keys(fields) as (keyof typeof fields)[]) {
        const want = entry[field];
        const have = got[field];
        if ((want ?? "").trim() === (have ?? "").trim()) fields[field]++;
        else if (field === "title") titleMisses.push(entry.name);
      }
    } catch (error) {
      scores.push({ name: entry.name, f1: 0, bareF1, error: error instanceof Error ? error.message : String(error) });
    }
  }
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
  const read = scores.filter((s) => !s.error);
  return {
    cases: scores.length,
    meanF1: round(mean(scores.map((s) => s.f1)), 3),
    bareReadabilityMeanF1: round(mean(scores.map((s) => s.bareF1)), 3),
    atLeast095: scores.filter((s) => s.f1 >= 0.95).length,
    bareAtLeast095: scores.filter((s) => s.bareF1 >= 0.95).length,
    // Pages refused by design (too little text to be an article) are named, not silently averaged.
    readPages: { cases: read.length, meanF1: round(mean(read.map((s) => s.f1)), 3) },
    metadataExact: Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, `${v}/${scores.length}`])),
    // Read pages whose title differs from Readability's (refused pages count as misses above, unnamed here).
    titleMisses,
    // The boilerplate pass must not cost what Readability gets right: every page it reads worse, named.
    worseThanBare: scores
      .filter((s) => !s.error && s.f1 < s.bareF1 - 0.01)
      .map((s) => ({ name: s.name, f1: round(s.f1, 3), bareF1: round(s.bareF1, 3) })),
    below095: scores
      .filter((s) => s.f1 < 0.95)
      .sort((a, b) => a.f1 - b.f1)
      .map((s) => ({
        name: s.name,
        f1: round(s.f1, 3),
        bareF1: round(s.bareF1, 3),
        ...(s.error ? { error: s.error } : {}),
      })),
  };
}

interface Counts {
  tp: number;
  fn: number;
  fp: number;
  tn: number;
}

const collapse = (text: string) => text.replace(/\s+/g, " ").trim();

/** trafilatura's rule: a kept segment found is a true positive, a boilerplate segment found a false positive. */
function score(counts: Counts, text: string, keep: string[], drop: string[]) {
  const haystack = collapse(text);
  const found = (segment: string) => haystack.includes(collapse(segment));
  const kept = keep.filter(found);
  const leaked = drop.filter(found);
  counts.tp += kept.length;
  counts.fn += keep.length - kept.length;
  counts.fp += leaked.length;
  counts.tn += drop.length - leaked.length;
  return { missed: keep.filter((s) => !found(s)), leaked };
}

const prf = ({ tp, fn, fp }: Counts) => {
  const precision = tp / (tp + fp || 1);
  const recall = tp / (tp + fn || 1);
  const f = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision: round(precision, 3), recall: round(recall, 3), f1: round(f, 3) };
};

/** "P 0.900 R 0.950 F1 0.924": one language per line keeps the breakdown readable. */
const line = (counts: Counts) => {
  const { precision, recall, f1: f } = prf(counts);
  return `P ${precision.toFixed(3)} R ${recall.toFixed(3)} F1 ${f.toFixed(3)}`;
};

/** The page's declared language (`<html lang>`), its primary subtag; pages without one are "?". */
const declaredLang = (html: string) =>
  /<html\b[^>]*?\blang\s*=\s*["']?([a-z]{2,3})\b/i.exec(html.slice(0, 5000))?.[1]?.toLowerCase() ?? "?";

async function trafilaturaCorpus(tarball: string, sample: number, withBare: boolean) {
  const scratch = mkdtempSync(path.join(tmpdir(), "trafilatura-eval-"));
  try {
    execFileSync("tar", ["-xzf", tarball, "-C", scratch]);
    const evaldata = JSON.parse(readFileSync(path.join(scratch, "evaldata.json"), "utf8")) as Record<
      string,
      { file: string; with: string[]; without: string[] }
    >;
    const zero = (): Counts => ({ tp: 0, fn: 0, fp: 0, tn: 0 });
    const ours = zero();
    const bare = zero();
    const byLang = new Map<string, { pages: number; ours: Counts; bare: Counts }>();
    const details: { url: string; file: string; missed: string[]; leaked: string[]; error?: string }[] = [];
    let pages = 0;
    let failures = 0;
    const entries = Object.entries(evaldata).filter((_, i) => i % sample === 0);
    for (const [url, entry] of entries) {
      const file = path.join(scratch, "html", entry.file);
      if (!existsSync(file)) continue;
      pages++;
      const { text: source } = decodeBody(readFileSync(file), null);
      const lang = declaredLang(source);
      const group = byLang.get(lang) ?? { pages: 0, ours: zero(), bare: zero() };
      byLang.set(lang, group);
      group.pages++;
      let ourText = "";
      let error: string | undefined;
      try {
        ourText = (await extractStage(html("html", source, url), { media: [] }, { reader })).text;
      } catch (e) {
        failures++;
        error = e instanceof Error ? e.message : String(e);
      }
      let bareText = "";
      if (withBare) {
        const dom = new JSDOM(source, { url, virtualConsole: new VirtualConsole() });
        bareText = normalizeText(new Readability(dom.window.document).parse()?.textContent ?? "");
        dom.window.close();
      }
      const result = score(ours, ourText, entry.with, entry.without);
      score(group.ours, ourText, entry.with, entry.without);
      score(bare, bareText, entry.with, entry.without);
      score(group.bare, bareText, entry.with, entry.without);
      if (result.missed.length || result.leaked.length || error)
        details.push({ url, file: entry.file, ...result, ...(error ? { error } : {}) });
    }
    const detailsFile = arg("details");
    if (detailsFile) writeFileSync(detailsFile, JSON.stringify(details, null, 1));
    return {
      pages,
      sample: sample > 1 ? `every ${sample}th page` : "all",
      // Pages refused (not an article, wall): every kept segment counts as missed.
      refused: failures,
      ours: prf(ours),
      bareReadability: withBare ? prf(bare) : "skipped (--no-bare)",
      publishedTrafilatura_2_2_0: { precision: 0.906, recall: 0.943, f1: 0.924 },
      byLanguage: Object.fromEntries(
        [...byLang.entries()]
          .sort((a, b) => b[1].pages - a[1].pages)
          .map(([lang, g]) => [lang, `${g.pages} pages · ours ${line(g.ours)} · bare ${line(g.bare)}`]),
      ),
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function mediaCorpus(dir: string) {
  const synthetic = JSON.parse(readFileSync(path.join(dir, "synthetic/expected.json"), "utf8")) as {
    file: string;
    page_url: string | null;
    expected: { kind: string | null; media: string[] };
  }[];
  const manifest = JSON.parse(readFileSync(path.join(dir, "html-manifest.json"), "utf8")) as {
    file: string;
    page_url: string | null;
    kind: string | null;
    expected_media_url: string | null;
  }[];
  const cases = [
    ...synthetic.map((c) => ({
      file: c.file,
      url: c.page_url ?? "https://example.org/",
      want: c.expected.media ?? [],
    })),
    // A manifest page without an expected URL still has media of its kind; a detection of that kind counts.
    // Entries with neither a kind nor a URL carry no expectation (snapshots of unknown pages): not scored.
    ...manifest
      .filter((c) => c.kind !== null || c.expected_media_url)
      .map((c) => ({
        file: c.file,
        url: c.page_url ?? "https://example.org/",
        want: c.expected_media_url ? [c.expected_media_url] : [`(kind: ${c.kind})`],
      })),
  ];
  let hits = 0;
  const misses: { file: string; want: string[]; got: string[] }[] = [];
  for (const c of cases) {
    const body = readFileSync(path.join(dir, c.file), "utf8");
    const detected = await detectStage(html("html", body, c.url), {
      fetch: async () => Promise.reject(new Error("offline")),
      reader,
      logger: createLogger({ level: "error" }),
    });
    const got = detected.media.map((m) => m.url);
    // Positive pages: every expected URL found. Negative pages (decoys): no playable media claimed.
    const matches = (want: string) => {
      const kind = /^\(kind: (\w+)\)$/.exec(want)?.[1];
      if (kind) return detected.media.some((m) => m.kind === kind || (kind === "video" && m.kind === "youtube"));
      const containing = /^\(any URL containing (.+)\)$/.exec(want)?.[1];
      if (containing) return got.some((u) => u.includes(containing));
      const snapshot = /^\(snapshot: (.+?)\.\.\.\)$/.exec(want)?.[1];
      if (snapshot) return got.some((u) => u.includes(snapshot));
      return got.includes(want);
    };
    const ok = c.want.length > 0 ? c.want.every(matches) : detected.media.every((m) => m.kind === "feed");
    if (ok) hits++;
    else misses.push({ file: c.file, want: c.want, got });
  }
  const feeds = JSON.parse(readFileSync(path.join(dir, "feeds-manifest.json"), "utf8")) as {
    file: string;
    items: number;
    enclosures: number;
    podcast_transcript: number;
  }[];
  let feedOk = 0;
  const feedMisses: string[] = [];
  for (const feed of feeds) {
    const parsed = parseFeed(readFileSync(path.join(dir, feed.file), "utf8"), "https://feeds.example/feed.xml");
    const enclosures = parsed?.items.reduce((n, i) => n + i.media.length, 0) ?? 0;
    const transcripts = parsed?.items.filter((i) => i.media.some((m) => m.transcriptUrl)).length ?? 0;
    if (
      (parsed?.items.length ?? 0) === feed.items &&
      enclosures >= Math.min(feed.enclosures, feed.items) &&
      transcripts === feed.podcast_transcript
    ) {
      feedOk++;
    } else
      feedMisses.push(
        `${feed.file}: items ${parsed?.items.length ?? 0}/${feed.items}, enclosures ${enclosures}/${feed.enclosures}, transcripts ${transcripts}/${feed.podcast_transcript}`,
      );
  }
  return { pages: cases.length, pagesCorrect: hits, misses, feeds: feeds.length, feedsCorrect: feedOk, feedMisses };
}

async function main() {
  const readability = wanted("readability") ? corpusDir("readability-test-pages") : null;
  const trafilatura = wanted("trafilatura") ? corpusDir("trafilatura-eval") : null;
  const media = wanted("media") ? corpusDir("media") : null;
  const sample = Math.max(1, Number(arg("sample") ?? 1));
  console.log(
    JSON.stringify(
      {
        readability: readability ? await readabilityCorpus(readability) : null,
        trafilatura: trafilatura
          ? await trafilaturaCorpus(
              path.join(trafilatura, "trafilatura-eval.tar.gz"),
              sample,
              !process.argv.includes("--no-bare"),
            )
          : null,
        media: media ? await mediaCorpus(media) : null,
      },
      null,
      2,
    ),
  );
}

void main();
