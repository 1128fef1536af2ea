import { existsSync, readFileSync } from "node:fs";
import { Readability } from "@mozilla/readability";
import path from "node:path";
import { JSDOM, VirtualConsole } from "jsdom";
import { parseFeed } from "@/lib/extract/feed";
import { detectStage } from "@/lib/pipeline/detect-media";
import { extractStage } from "@/lib/pipeline/extract";
import type { Fetched } from "@/lib/pipeline/types";
import { corpusDir, f1, round } from "./corpus";

/**
 * npm run eval:extract — quality against the evaluation corpora (when present):
 * text token F1 and metadata against Readability's expectations; media detection against the media manifests.
 */
const PAGE_URL = "http://fakehost/test/page.html";

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
      const got = await extractStage(html("html", source), { media: [] });
      scores.push({ name: entry.name, f1: f1(got.text, expected), bareF1 });
      for (const field of Object.keys(fields) as (keyof typeof fields)[]) {
        const want = entry[field];
        const have = got[field];
        if ((want ?? "").trim() === (have ?? "").trim()) fields[field]++;
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
  const readability = corpusDir("readability-test-pages");
  const media = corpusDir("media");
  console.log(
    JSON.stringify(
      {
        readability: readability ? await readabilityCorpus(readability) : null,
        media: media ? await mediaCorpus(media) : null,
      },
      null,
      2,
    ),
  );
}

void main();
