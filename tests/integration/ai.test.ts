import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createExtractiveSummarizer } from "@/lib/ai/extractive-summarizer";
import { createOpenAIClient } from "@/lib/ai/openai";
import { summarizeInProcess } from "@/lib/ai/openai-summarizer";
import { createOpenAITranscriber } from "@/lib/ai/openai-transcriber";
import { parsePublisherTranscript } from "@/lib/ai/transcript-formats";
import type { Detected } from "@/lib/domain";
import { createSafeFetch } from "@/lib/net/safe-fetch";
import { transcribeStage } from "@/lib/pipeline/transcribe";
import { type FakeOpenAI, startFakeOpenAI } from "../helpers/fake-openai";
import { type FixtureServer, SITE_DIR, startFixtureServer } from "../helpers/fixture-server";
import { extractedFixture, memoryTranscriptCache } from "../helpers/pipeline-fixtures";
import { servicesRequired } from "../helpers/services";

const ARTICLE_TEXT = readFileSync(path.join(SITE_DIR, "article.html"), "utf8")
  .replace(/<[^>]+>/g, " ")
  .replace(/\s+/g, " ");

let llm: FakeOpenAI;
beforeAll(async () => {
  llm = await startFakeOpenAI();
});
afterAll(() => llm.close());

describe("offline extractive summarizer", () => {
  const summarizer = createExtractiveSummarizer();
  const input = {
    title: "How Small Towns Are Rebuilding Their Libraries",
    text: ARTICLE_TEXT,
    lang: "en",
    url: "https://a.example/",
  };

  it("picks salient sentences from the text, deterministically", async () => {
    const first = await summarizeInProcess(summarizer, input);
    expect(first).toEqual(await summarizeInProcess(summarizer, input));
    expect(first.summary.keyPoints.length).toBeGreaterThanOrEqual(3);
    for (const point of first.summary.keyPoints) expect(ARTICLE_TEXT).toContain(point);
    // One tag per lemma, shown in its most frequent form.
    expect(first.summary.tags.filter((t) => /^librar(y|ies)$/.test(t))).toHaveLength(1);
    expect(first.summary.markdown).toMatch(/Extractive summary/);
    expect(first.provenance).toMatchObject({ path: "extractive", model: "extractive", costUsd: 0 });
  });

  it("works in other languages and refuses empty input with a reason", async () => {
    const french = await summarizeInProcess(summarizer, {
      ...input,
      title: "Les bibliothèques rurales",
      text: "Les bibliothèques des villages deviennent des lieux de vie. Elles prêtent des outils et des livres aux habitants. Les horaires ont été étendus pour les travailleurs du matin. Le financement reste le problème le plus difficile pour le conseil.",
    });
    expect(french.summary.tldr).toMatch(/bibliothèques/);
    await expect(summarizeInProcess(summarizer, { ...input, text: "" })).rejects.toMatchObject({
      reason: "summarization_failed",
      retriable: false,
    });
  });
});

/** espeak-ng (Debian) synthesizes the speech clip; CI installs it, a bare laptop may skip that one test. */
const hasEspeak = (() => {
  try {
    execFileSync("espeak-ng", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    if (servicesRequired) throw new Error("espeak-ng is required (REQUIRE_SERVICES=1)");
    console.warn("skipping the speech transcription test: espeak-ng is not installed");
    return false;
  }
})();

describe("transcription", () => {
  let site: FixtureServer;
  let dir: string;
  beforeAll(async () => {
    site = await startFixtureServer(SITE_DIR);
    dir = mkdtempSync(path.join(os.tmpdir(), "as-audio-"));
  });
  afterAll(async () => {
    await site.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const extracted = (text = "") => extractedFixture({ lang: "en", text });

  it.skipIf(!hasEspeak)("uploads synthesized speech to the transcription API and caches the result", async () => {
    const wav = path.join(dir, "speech.wav");
    execFileSync("espeak-ng", ["-w", wav, "The library moved into the old mill office."]);
    const server = await startFixtureServer(dir);
    try {
      const fetch = createSafeFetch({ allowlist: [server.hostPort] });
      const transcriber = createOpenAITranscriber(createOpenAIClient({ apiKey: "sk", baseURL: llm.url }), "whisper-1");
      const store = memoryTranscriptCache();
      const detected: Detected = {
        media: [],
        primary: { kind: "audio", url: `${server.origin}/speech.wav`, type: "audio/wav" },
      };
      llm.requests.length = 0;
      const transcript = await transcribeStage(detected, extracted(), { fetch, transcriber, store }, () => undefined);
      expect(transcript).toMatchObject({
        source: "openai",
        model: "whisper-1",
        segments: [expect.objectContaining({ start: 0 })],
      });
      const upload = llm.requests.find((r) => r.path.endsWith("/audio/transcriptions"));
      expect(upload?.headers["content-type"]).toMatch(/multipart\/form-data/);
      expect(upload?.body).toContain("RIFF");
      // A retry reads the cache instead of paying again.
      await transcribeStage(detected, extracted(), { fetch, transcriber, store }, () => undefined);
      expect(llm.requests.filter((r) => r.path.endsWith("/audio/transcriptions"))).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it("prefers the publisher's transcript to paying for speech-to-text", async () => {
    const fetch = createSafeFetch({ allowlist: [site.hostPort] });
    const detected: Detected = {
      media: [],
      primary: {
        kind: "audio",
        url: `${site.origin}/audio/ep12.mp3`,
        transcriptUrl: `${site.origin}/transcripts/ep12.vtt`,
        transcriptType: "text/vtt",
      },
    };
    const transcript = await transcribeStage(
      detected,
      extracted(),
      { fetch, store: memoryTranscriptCache() },
      () => undefined,
    );
    expect(transcript).toMatchObject({
      source: "publisher",
      segments: [
        { start: 0, end: 4 },
        { start: 4, end: 9.5 },
      ],
    });
    expect(transcript?.text).toBe("Welcome to Town Hall Radio. Today the library moves into the old mill office.");
  });

  it("without speech-to-text: summarizes the page text alone, or says why it cannot", async () => {
    const fetch = createSafeFetch({ allowlist: [] });
    const detected: Detected = { media: [], primary: { kind: "audio", url: "https://cdn.example/a.mp3" } };
    expect(
      await transcribeStage(
        detected,
        extracted("x".repeat(600)),
        { fetch, store: memoryTranscriptCache() },
        () => undefined,
      ),
    ).toBeNull();
    await expect(
      transcribeStage(detected, extracted(), { fetch, store: memoryTranscriptCache() }, () => undefined),
    ).rejects.toMatchObject({
      reason: "transcription_failed",
      retriable: false,
    });
  });

  it("parses SRT, VTT and Podcasting 2.0 JSON transcripts", () => {
    expect(
      parsePublisherTranscript(
        "1\n00:00:01,000 --> 00:00:02,500\nHello there\n\n2\n00:00:03,000 --> 00:00:04,000\nBye",
        "application/x-subrip",
      ).segments,
    ).toEqual([
      { start: 1, end: 2.5, text: "Hello there" },
      { start: 3, end: 4, text: "Bye" },
    ]);
    const json = JSON.stringify({
      version: "1.0.0",
      segments: [{ speaker: "Ann", startTime: 0.5, endTime: 2, body: "Hi" }],
    });
    expect(parsePublisherTranscript(json, "application/json")).toMatchObject({
      text: "Ann: Hi",
      segments: [{ start: 0.5, end: 2 }],
    });
    expect(parsePublisherTranscript("<p>Plain <b>html</b> transcript</p>", "text/html").text).toBe(
      "Plain html transcript",
    );
  });
});
