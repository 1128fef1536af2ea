import { describe, expect, it } from "vitest";
import { extractedFixture, memoryTranscriptCache } from "@/tests/helpers/pipeline-fixtures";
import { AppError } from "../errors";
import type { SafeFetch, SafeResponse } from "../net/types";
import { transcribeStage } from "../pipeline/transcribe";
import { fetchYoutubeCaptions, parseTimedText, pickTrack } from "./youtube-captions";

const WATCH = "https://www.youtube.com/watch?v=abcdefghijk";

const watchPage = (player: object) =>
  `<!doctype html><html><head><title>A talk - YouTube</title></head><body>
  <script>var ytcfg = {"x": 1};</script>
  <script>var ytInitialPlayerResponse = ${JSON.stringify(player)};var meta = {};</script></body></html>`;

const json3 = JSON.stringify({
  events: [
    { tStartMs: 0, dDurationMs: 2500, segs: [{ utf8: "Welcome to the " }, { utf8: "mill office." }] },
    { tStartMs: 2500, dDurationMs: 1000, segs: [{ utf8: "\n" }] },
    { tStartMs: 3500, dDurationMs: 4000, segs: [{ utf8: "Tonight: libraries &amp; towns {braces} too." }] },
  ],
});

const tracks = [
  { baseUrl: "https://www.youtube.com/api/timedtext?v=abcdefghijk&lang=en&kind=asr", languageCode: "en", kind: "asr" },
  { baseUrl: "https://www.youtube.com/api/timedtext?v=abcdefghijk&lang=en", languageCode: "en" },
  { baseUrl: "https://www.youtube.com/api/timedtext?v=abcdefghijk&lang=de", languageCode: "de" },
];
const playable = {
  playabilityStatus: { status: "OK" },
  videoDetails: { title: 'A "talk" with } in it' },
  captions: { playerCaptionsTracklistRenderer: { captionTracks: tracks } },
};

type Route = (url: URL) => Partial<SafeResponse> | Error;

/** A stand-in for the network: YouTube cannot be reached from here, and its answers are what is under test. */
function fakeYoutube(route: Route): SafeFetch & { requested: string[] } {
  const requested: string[] = [];
  const fetch = async (url: string) => {
    requested.push(url);
    const answer = route(new URL(url));
    if (answer instanceof Error) throw answer;
    return {
      url,
      status: 200,
      headers: {},
      contentType: "text/html",
      body: new Uint8Array(),
      bodyRead: true,
      redirects: [url],
      ...answer,
    };
  };
  return Object.assign(fetch, { requested });
}

const text = (body: string) => ({ body: new TextEncoder().encode(body) });
const serving =
  (player: object, captions = json3): Route =>
  (url) =>
    url.pathname === "/watch" ? text(watchPage(player)) : text(captions);

describe("YouTube captions", () => {
  it("reads the human captions in the page's language, with timings", async () => {
    const fetch = fakeYoutube(serving(playable));
    const transcript = await fetchYoutubeCaptions(WATCH, { fetch, lang: "en-US" });
    expect(transcript.source).toBe("youtube-captions");
    expect(transcript.text).toBe("Welcome to the mill office. Tonight: libraries & towns {braces} too.");
    expect(transcript.segments?.[1]).toEqual({
      start: 3.5,
      end: 7.5,
      text: "Tonight: libraries & towns {braces} too.",
    });
    const captionsUrl = new URL(fetch.requested[1] ?? "");
    expect(captionsUrl.searchParams.get("lang")).toBe("en");
    expect(captionsUrl.searchParams.get("kind")).toBeNull();
    expect(captionsUrl.searchParams.get("fmt")).toBe("json3");
  });

  it("prefers human tracks, then the wanted language, then auto-generated ones", () => {
    expect(pickTrack(tracks, "de")?.languageCode).toBe("de");
    expect(pickTrack(tracks, "fr")).toMatchObject({ languageCode: "en" });
    expect(pickTrack(tracks, "fr")?.kind).toBeUndefined();
    expect(pickTrack([tracks[0] ?? {}], "fr")?.kind).toBe("asr");
    expect(pickTrack([], "en")).toBeUndefined();
  });

  it("reads the XML timed-text formats too", () => {
    expect(parseTimedText('<transcript><text start="1.5" dur="2">It&#39;s here</text></transcript>')).toEqual([
      { start: 1.5, end: 3.5, text: "It's here" },
    ]);
    expect(
      parseTimedText('<timedtext format="3"><body><p t="2000" d="500">Hi <s>there</s></p></body></timedtext>'),
    ).toEqual([{ start: 2, end: 2.5, text: "Hi there" }]);
  });

  it.each([
    [
      "a bot check",
      serving({ playabilityStatus: { status: "LOGIN_REQUIRED", reason: "Sign in to confirm you’re not a bot" } }),
      /prove it is not a bot.*cloud IP/,
    ],
    ["a 429", () => new AppError("rate_limited", "HTTP 429", { status: 429 }), /refused.*HTTP 429.*cloud/],
    [
      "the unusual-traffic page",
      () => ({ url: "https://www.google.com/sorry/index?continue=x", ...text("<html></html>") }),
      /unusual-traffic/,
    ],
    [
      "the consent page",
      () => ({ url: "https://consent.youtube.com/m?continue=x", ...text("<html></html>") }),
      /consent/,
    ],
    ["a page without player data", () => text("<html><body>Our systems have detected…</body></html>"), /player data/],
    ["empty captions (proof-of-origin token)", serving(playable, ""), /proof-of-origin/],
    [
      "a video without captions",
      serving({ playabilityStatus: { status: "OK" }, captions: undefined }),
      /no captions.*audio is not supported/,
    ],
    [
      "a private video",
      serving({ playabilityStatus: { status: "ERROR", reason: "Video unavailable" } }),
      /Video unavailable/,
    ],
  ])("says why when YouTube refuses: %s", async (_, route, message) => {
    const error = await fetchYoutubeCaptions(WATCH, { fetch: fakeYoutube(route) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ reason: "media_unreadable", retriable: false });
    expect((error as Error).message).toMatch(message);
  });
});

describe("transcribe stage with YouTube media", () => {
  const extracted = (text: string) =>
    extractedFixture({ url: WATCH, canonicalUrl: WATCH, title: "A talk", siteName: "YouTube", lang: "en", text });
  const deps = (fetch: SafeFetch) => ({ fetch, store: memoryTranscriptCache() });
  const noReport = () => {};

  it("uses the captions as the transcript, without speech-to-text", async () => {
    const media = { kind: "youtube" as const, url: WATCH, foundIn: "url" };
    const transcript = await transcribeStage(
      { media: [media], primary: media },
      extracted(""),
      deps(fakeYoutube(serving(playable))),
      noReport,
    );
    expect(transcript?.source).toBe("youtube-captions");
  });

  it("fails a watch page YouTube refuses, but lets an article with an embedded video stand on its text", async () => {
    const refusing = fakeYoutube(() => new AppError("rate_limited", "HTTP 429", { status: 429 }));
    const page = { kind: "youtube" as const, url: WATCH, foundIn: "url" };
    await expect(
      transcribeStage({ media: [page], primary: page }, extracted(""), deps(refusing), noReport),
    ).rejects.toMatchObject({ reason: "media_unreadable" });
    const embed = { kind: "youtube" as const, url: WATCH, foundIn: "iframe" };
    const article = extracted("The mill office opened at seven. ".repeat(20));
    expect(await transcribeStage({ media: [embed], primary: embed }, article, deps(refusing), noReport)).toBeNull();
  });
});

describe("entities in timed text", () => {
  it("decodes numeric and named entities, and impossible code points as U+FFFD (as a browser does)", () => {
    expect(
      parseTimedText(
        '<transcript><text start="0" dur="1">&#x1F600; &#9999999999; a&amp;b &eacute;</text></transcript>',
      ),
    ).toEqual([{ start: 0, end: 1, text: "😀 \uFFFD a&b é" }]);
  });
});
