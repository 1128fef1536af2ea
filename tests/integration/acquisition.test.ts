import iconv from "iconv-lite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Fetched } from "@/lib/domain";
import { youtubeUrl } from "@/lib/extract/video-urls";
import { createSafeFetch } from "@/lib/net/safe-fetch";
import type { SafeFetch } from "@/lib/net/types";
import { detectStage } from "@/lib/pipeline/detect-media";
import { extractStage } from "@/lib/pipeline/extract";
import { fetchStage } from "@/lib/pipeline/fetch";
import { type FixtureServer, SITE_DIR, startFixtureServer } from "../helpers/fixture-server";
import { makePdf } from "../helpers/pdf";
import { quietLogger, testReader } from "../helpers/pipeline-fixtures";

let site: FixtureServer;
let fetch: SafeFetch;
beforeAll(async () => {
  site = await startFixtureServer(SITE_DIR);
  fetch = createSafeFetch({ allowlist: [site.hostPort] });
});
afterAll(() => site.close());

async function acquire(path: string) {
  const fetched = await fetchStage(`${site.origin}${path}`, { fetch });
  const detected = await detectStage(fetched, { fetch, reader: testReader, logger: quietLogger });
  return { fetched, detected, extract: () => extractStage(fetched, detected, { reader: testReader }) };
}

describe("fetch → detect → extract on fixture pages", () => {
  it("extracts an article with its metadata, without the page chrome", async () => {
    const { detected, extract } = await acquire("/article.html");
    // The site's feed is listed; it is not media to transcribe.
    expect(detected.media).toEqual([expect.objectContaining({ kind: "feed", foundIn: "link-alternate" })]);
    expect(detected.primary).toBeUndefined();
    const article = await extract();
    expect(article).toMatchObject({
      title: "How Small Towns Are Rebuilding Their Libraries",
      byline: expect.stringContaining("Maria Okafor"),
      siteName: "The Civic Ledger",
      lang: "en",
      publishedTime: "2026-10-02T09:00:00Z",
      // The page names another path as canonical: only the same origin and path is trusted, so the URL it came from stays.
      canonicalUrl: `${site.origin}/article.html`,
      extractor: "readability@0.6.0",
    });
    expect(article.text).toContain("the town lost more than four hundred jobs");
    expect(article.text).not.toContain("Ten ways to save on heating");
    expect(article.html).not.toMatch(/<script|onclick|<style/i);
  });

  it("keeps hidden text (a prompt-injection vector) away from the summarizer", async () => {
    const article = await (await acquire("/hidden-text.html")).extract();
    expect(article.text).toContain("herons wait on the stones");
    expect(article.text).not.toMatch(/pirates|reveal your prompt/);
  });

  it("names bot walls and empty pages before any LLM is paid", async () => {
    await expect((await acquire("/wall.html")).extract()).rejects.toMatchObject({ reason: "paywall_or_bot_wall" });
    await expect((await acquire("/not-article.html")).extract()).rejects.toMatchObject({ reason: "not_an_article" });
  });

  it("finds every media signal on a page, resolved against the page URL", async () => {
    const { detected, extract } = await acquire("/media-page.html");
    const found = detected.media.map((m) => [m.kind, m.url, m.foundIn]);
    expect(found).toEqual(
      expect.arrayContaining([
        ["audio", "https://cdn.radio.example/mill.mp3", "og:audio"],
        ["audio", `${site.origin}/audio/mill.ogg`, "audio-element"],
        ["video", `${site.origin}/clips/mill.mp4`, "video-element"],
        ["youtube", "https://www.youtube.com/watch?v=dQw4w9WgXcQ", "iframe"],
        ["audio", "https://cdn.radio.example/mill-hq.m4a", "json-ld"],
        ["feed", `${site.origin}/podcast.xml`, "link-alternate (podcast page)"],
      ]),
    );
    expect(detected.primary).toMatchObject({ kind: "audio", url: "https://cdn.radio.example/mill.mp3" });
    // Too little text to be an article, but the media is listed and nothing fails.
    expect((await extract()).media.length).toBe(detected.media.length);
  });

  it("reads a podcast feed: the newest episode, or the one the URL names, with its publisher transcript", async () => {
    const newest = await acquire("/podcast.xml");
    expect(newest.fetched.kind).toBe("feed");
    expect(newest.detected.primary).toMatchObject({
      kind: "audio",
      url: `${site.origin}/audio/ep12.mp3`,
      durationSec: 750,
      transcriptUrl: `${site.origin}/transcripts/ep12.vtt`,
      transcriptType: "text/vtt",
      foundIn: "rss-enclosure",
    });
    const item = await newest.extract();
    expect(item).toMatchObject({
      title: "Episode 12: The library moves into the mill",
      siteName: "Town Hall Radio",
      extractor: "feed",
    });
    const named = await acquire("/podcast.xml#ep-11");
    expect(named.detected.primary).toMatchObject({ url: "https://cdn.radio.example/ep11.mp3", durationSec: 754 });
    // An episode without podcast:transcript is transcribed from its audio instead.
    expect(named.detected.primary?.transcriptUrl).toBeUndefined();
  });

  it("follows a podcast episode page without a player to its episode in the show's feed", async () => {
    const { detected, extract } = await acquire("/episode-page.html");
    expect(detected.primary).toMatchObject({ url: "https://cdn.radio.example/ep11.mp3", durationSec: 754 });
    expect(detected.media).toContainEqual(expect.objectContaining({ kind: "feed", url: `${site.origin}/podcast.xml` }));
    expect(await extract()).toMatchObject({ title: "Episode 11: Broadband in the hills", siteName: "Town Hall Radio" });
  });

  it("does not fetch the feed of an ordinary article", async () => {
    const requested: string[] = [];
    const spy: SafeFetch = (url, options) => {
      requested.push(url);
      return fetch(url, options);
    };
    const fetched = await fetchStage(`${site.origin}/article.html`, { fetch: spy });
    await detectStage(fetched, { fetch: spy, reader: testReader, logger: quietLogger });
    expect(requested).toEqual([`${site.origin}/article.html`]);
  });

  it("recognises every YouTube URL form", () => {
    for (const url of [
      "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=1",
      "https://youtu.be/dQw4w9WgXcQ",
      "https://www.youtube.com/shorts/dQw4w9WgXcQ",
      "https://www.youtube.com/embed/dQw4w9WgXcQ",
      "https://m.youtube.com/watch?v=dQw4w9WgXcQ",
      "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
    ]) {
      expect(youtubeUrl(url)).toBe("https://www.youtube.com/watch?v=dQw4w9WgXcQ");
    }
    expect(youtubeUrl("https://example.com/watch?v=dQw4w9WgXcQ")).toBeNull();
  });
});

describe("character sets", () => {
  const page = (charset: string, declared: "header" | "meta") => {
    const text =
      {
        "windows-1252": "Café crème – naïve façade",
        shift_jis: "図書館は町の中心になった",
        gbk: "图书馆成为小镇的中心",
        "koi8-r": "Библиотека стала центром города",
      }[charset] ?? "";
    const meta = declared === "meta" ? `<meta charset="${charset}">` : "";
    const html = `<html><head>${meta}<title>${text}</title></head><body><p>${text}</p></body></html>`;
    const fetched: Fetched = {
      requestedUrl: "https://a.example/",
      finalUrl: "https://a.example/",
      status: 200,
      contentType: declared === "header" ? `text/html; charset=${charset}` : "text/html",
      kind: "html",
      body: "",
      contentLength: null,
      redirects: [],
    };
    return { text, bytes: new Uint8Array(iconv.encode(html, charset)), fetched };
  };

  it.each(["windows-1252", "shift_jis", "gbk", "koi8-r"])(
    "decodes %s from the header and from <meta>",
    async (charset) => {
      for (const declared of ["header", "meta"] as const) {
        const { text, bytes, fetched } = page(charset, declared);
        const fakeFetch: SafeFetch = async (url) => ({
          url,
          status: 200,
          headers: {},
          contentType: fetched.contentType,
          body: bytes,
          bodyRead: true,
          redirects: [url],
        });
        const result = await fetchStage("https://a.example/", { fetch: fakeFetch });
        expect(result.body).toContain(`<title>${text}</title>`);
      }
    },
  );
});

describe("PDF documents", () => {
  it("extracts the text and title of a PDF through the same stages", async () => {
    const lines = Array.from(
      { length: 12 },
      (_, i) => `Line ${i + 1}: the library in the old mill office opens at seven every morning.`,
    );
    const pdf = makePdf("Library annual report", lines);
    const pdfFetch: SafeFetch = async (url) => ({
      url,
      status: 200,
      headers: {},
      contentType: "application/pdf",
      body: pdf,
      bodyRead: true,
      redirects: [url],
    });
    const fetched = await fetchStage("https://reports.example/annual.pdf", { fetch: pdfFetch });
    expect(fetched.kind).toBe("pdf");
    const extracted = await extractStage(
      fetched,
      await detectStage(fetched, { fetch: pdfFetch, reader: testReader, logger: quietLogger }),
      {
        reader: testReader,
      },
    );
    expect(extracted).toMatchObject({
      title: "Library annual report",
      byline: "Test Author",
      extractor: "pdf (unpdf)",
    });
    expect(extracted.text).toContain("Line 12: the library in the old mill office opens at seven");
  });
});
