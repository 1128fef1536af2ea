import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseCues, parsePublisherTranscript } from "@/lib/ai/transcript-formats";
import { AppError } from "@/lib/errors";
import { decodeBody, detectCharset } from "@/lib/extract/charset";
import { parseFeed } from "@/lib/extract/feed";
import { parsePlayerResponse, parseTimedText } from "@/lib/extract/youtube-captions";
import { probeMedia } from "@/lib/media/cut";
import type { RangeReader } from "@/lib/media/range-reader";
import { pageTitle } from "@/lib/pipeline/detect-media";
import { SITE_DIR } from "../helpers/fixture-server";
import { testReader } from "../helpers/pipeline-fixtures";

/**
 * Every parser that sees fetched bytes, on random bytes, every truncation of a real sample, and byte-flipped
 * copies of it: each returns a value or throws a named AppError — never a TypeError, RangeError, SyntaxError or
 * URIError — and stays within a time budget. Seeded, so a failure reproduces.
 */
const BUDGET_MS = 1500;

function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function inputs(sample: Uint8Array, seed: number, count = 60): Uint8Array[] {
  const random = prng(seed);
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    out.push(Uint8Array.from({ length: Math.floor(random() * 2048) }, () => Math.floor(random() * 256)));
  }
  const step = Math.max(1, Math.floor(sample.length / count));
  for (let end = 0; end <= sample.length; end += step) out.push(sample.slice(0, end));
  for (let i = 0; i < count; i++) {
    const copy = sample.slice();
    for (let flips = 1 + Math.floor(random() * 8); flips > 0; flips--) {
      copy[Math.floor(random() * copy.length)] = "<>&\"'{}[]:%\\\u0000-\n".charCodeAt(Math.floor(random() * 16)) ?? 0;
    }
    out.push(copy);
  }
  return out;
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

async function survives(name: string, sample: Uint8Array | string, parse: (bytes: Uint8Array) => unknown) {
  const bytes = typeof sample === "string" ? new TextEncoder().encode(sample) : sample;
  for (const [i, input] of inputs(bytes, name.length * 7919).entries()) {
    const started = performance.now();
    try {
      await parse(input);
    } catch (error) {
      expect({ name, i, error: error instanceof AppError ? "named" : String(error) }).toEqual({
        name,
        i,
        error: "named",
      });
    }
    const ms = performance.now() - started;
    expect({ name, i, slow: ms > BUDGET_MS ? ms : false }).toEqual({ name, i, slow: false });
  }
}

const FEED = readFileSync(path.join(SITE_DIR, "podcast.xml"));
const VTT = readFileSync(path.join(SITE_DIR, "transcripts", "ep12.vtt"), "utf8");
const ARTICLE = readFileSync(path.join(SITE_DIR, "article.html"));
const SRT = "1\n00:00:01,000 --> 00:00:02,500\nHello <i>there</i>\n\n2\n00:00:03,000 --> 00:00:04,000\nBye\n";
const JSON_TRANSCRIPT = JSON.stringify({
  segments: [
    { startTime: 1, endTime: 2, body: "Hi", speaker: "A" },
    { startTime: 2, body: "There" },
  ],
});
const TIMED_XML =
  '<transcript><text start="1.5" dur="2">Hello &amp; welcome</text><text start="4">Bye</text></transcript>';
const TIMED_SRV3 = '<timedtext><body><p t="1500" d="2000">Hello</p><p t="4000">Bye</p></body></timedtext>';
const TIMED_JSON3 = JSON.stringify({ events: [{ tStartMs: 1500, dDurationMs: 2000, segs: [{ utf8: "Hello" }] }] });
const MP3 = Uint8Array.from([
  0x49,
  0x44,
  0x33,
  3,
  0,
  0,
  0,
  0,
  0,
  4,
  0,
  0,
  0,
  0,
  0xff,
  0xfb,
  0x90,
  0x64,
  ...new Array(400).fill(0),
]);

// The smallest beginnings of an MP4 (ftyp + empty moov): enough for the probe to start walking boxes.
const MP4 = Uint8Array.from([
  0, 0, 0, 24, 0x66, 0x74, 0x79, 0x70, 0x4d, 0x34, 0x41, 0x20, 0, 0, 0, 0, 0x4d, 0x34, 0x41, 0x20, 0x69, 0x73, 0x6f,
  0x6d, 0, 0, 0, 8, 0x6d, 0x6f, 0x6f, 0x76,
]);

/** The bytes as a remote file (the probe reads through this interface). */
const memoryReader = (bytes: Uint8Array, contentType: string): RangeReader => ({
  url: "https://cdn.example/episode",
  size: bytes.length,
  ranged: true,
  contentType,
  read: async (start, end) => bytes.slice(start, end),
  stats: { requests: 0, bytes: 0 },
});

describe("parsers of fetched bytes survive random and truncated input (fuzz-style)", () => {
  it("feed parser (RSS/Atom, podcast namespaces)", async () => {
    await survives("feed", FEED, (b) => parseFeed(text(b), "https://feeds.example/show.xml"));
  });

  it("transcript formats (SRT, VTT, Podcasting 2.0 JSON, HTML, text)", async () => {
    for (const [name, sample, type] of [
      ["vtt", VTT, "text/vtt"],
      ["srt", SRT, "application/x-subrip"],
      ["json", JSON_TRANSCRIPT, "application/json"],
      ["html", "<p>Hello <b>there</b></p>", "text/html"],
      ["untyped-json", JSON_TRANSCRIPT, undefined],
    ] as const) {
      await survives(`transcript-${name}`, sample, (b) => parsePublisherTranscript(text(b), type));
      await survives(`cues-${name}`, sample, (b) => parseCues(text(b)));
    }
  });

  it("YouTube timed text (classic XML, srv3, json3) and the watch page's player data", async () => {
    // parseTimedText throws on JSON it cannot read; fetchYoutubeCaptions names that (media_unreadable).
    const named = (parse: () => unknown) => {
      try {
        return parse();
      } catch (error) {
        if (error instanceof SyntaxError) return null;
        throw error;
      }
    };
    for (const sample of [TIMED_XML, TIMED_SRV3, TIMED_JSON3]) {
      await survives(`timedtext-${sample.slice(0, 8)}`, sample, (b) => named(() => parseTimedText(text(b))));
    }
    await survives(
      "player",
      `<script>var ytInitialPlayerResponse = ${JSON.stringify({ captions: {} })};</script>`,
      (b) => parsePlayerResponse(text(b)),
    );
  });

  it("charset detection and decoding", async () => {
    const latin = new Uint8Array([...new TextEncoder().encode('<meta charset="windows-1252"><p>caf'), 0xe9, 0x93]);
    for (const contentType of [
      null,
      "text/html; charset=shift_jis",
      "text/html; charset=bogus-charset",
      "text/html; charset=",
    ]) {
      await survives(`charset-${contentType}`, latin, (b) => {
        detectCharset(b, contentType);
        return decodeBody(b, contentType);
      });
    }
  });

  it("page title, and MP3/MP4 probing", async () => {
    await survives("title", ARTICLE, (b) => pageTitle(text(b)));
    const probe = (b: Uint8Array, contentType: string) => probeMedia(memoryReader(b, contentType));
    await survives("mp3", MP3, (b) => probe(b, "audio/mpeg"));
    await survives("mp4", MP4, (b) => probe(b, "audio/mp4"));
  });

  it("HTML reader in the extraction worker (article and media)", async () => {
    await testReader.read({ op: "media", html: "<p>warm</p>", url: "https://a.example/" });
    const bytes = new Uint8Array(ARTICLE);
    const random = prng(42);
    const some = inputs(bytes, 99, 8).filter(() => random() < 0.5);
    for (const [i, input] of some.entries()) {
      for (const op of ["media", "article"] as const) {
        const started = performance.now();
        try {
          const html = text(input);
          if (op === "media") await testReader.read({ op, html, url: "https://a.example/x" });
          else await testReader.read({ op, html, url: "https://a.example/x", media: [] });
        } catch (error) {
          expect({ i, op, error: error instanceof AppError ? "named" : String(error) }).toEqual({
            i,
            op,
            error: "named",
          });
        }
        expect(performance.now() - started).toBeLessThan(5_000);
      }
    }
  });
});
