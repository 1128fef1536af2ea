import { describe, expect, it } from "vitest";
import { quietLogger, testReader } from "@/tests/helpers/pipeline-fixtures";
import type { Fetched } from "../domain";
import type { SafeFetch } from "../net/types";
import { detectStage } from "../pipeline/detect-media";
import { extractStage } from "../pipeline/extract";
import { applePodcastIds, resolveApplePodcastEpisode } from "./apple-podcasts";

const PAGE = "https://podcasts.apple.com/us/podcast/river-town-radio/id555?i=1001";
const FEED = "https://feeds.rivertown.example/radio.xml";

const feed = `<?xml version="1.0"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:podcast="https://podcastindex.org/namespace/1.0">
<channel><title>River Town Radio</title><language>en</language>
  <item><title>Episode 3: The new reading room</title><guid>rtr-3</guid>
    <link>https://rivertown.example/episodes/3</link>
    <description>&lt;p&gt;The reading room opens.&lt;/p&gt;</description>
    <pubDate>Tue, 03 Nov 2026 08:00:00 GMT</pubDate>
    <enclosure url="https://cdn.rivertown.example/ep3.mp3?source=rss" type="audio/mpeg" length="100"/>
    <itunes:duration>31:05</itunes:duration>
    <podcast:transcript url="https://rivertown.example/ep3.vtt" type="text/vtt"/></item>
  <item><title>Episode 2: Closing the mill</title><guid>rtr-2</guid>
    <enclosure url="https://cdn.rivertown.example/ep2.mp3" type="audio/mpeg" length="100"/></item>
  <item><title>Episode 1: Before</title><guid>rtr-1</guid>
    <enclosure url="https://cdn.rivertown.example/ep1.mp3" type="audio/mpeg" length="100"/></item>
</channel></rss>`;

const show = { wrapperType: "track", kind: "podcast", collectionName: "River Town Radio", feedUrl: FEED };
const episode = (trackId: number, guid: string, title: string, file: string) => ({
  wrapperType: "podcastEpisode",
  kind: "podcast-episode",
  trackId,
  trackName: title,
  episodeGuid: guid,
  episodeUrl: `https://cdn.rivertown.example/${file}`,
  episodeContentType: "audio",
  episodeFileExtension: "mp3",
  trackTimeMillis: 1_865_000,
  releaseDate: "2026-11-03T08:00:00Z",
  description: `${title}, from the lookup.`,
  trackViewUrl: `https://podcasts.apple.com/us/podcast/river-town-radio/id555?i=${trackId}&uo=4`,
});

/** Apple's lookup API and the publisher's feed, as they answer; neither is reachable from here. */
function fakeNetwork(results: object[], feedBody = feed): SafeFetch & { requested: string[] } {
  const requested: string[] = [];
  const fetch: SafeFetch = async (url) => {
    requested.push(url);
    const body = url.startsWith("https://itunes.apple.com/lookup")
      ? JSON.stringify({ resultCount: results.length, results })
      : url === FEED
        ? feedBody
        : null;
    if (body === null) throw new Error(`unexpected fetch ${url}`);
    return {
      url,
      status: 200,
      headers: {},
      contentType: "application/json",
      body: new TextEncoder().encode(body),
      bodyRead: true,
      redirects: [url],
    };
  };
  return Object.assign(fetch, { requested });
}

const applePage = (title: string): Fetched => ({
  requestedUrl: PAGE,
  finalUrl: PAGE,
  status: 200,
  contentType: "text/html",
  kind: "html",
  body: `<html><head><meta property="og:title" content="${title}"><title>${title} - Apple Podcasts</title></head>
    <body><h1>${title}</h1><audio src="https://audio-ssl.itunes.apple.com/preview.m4a"></audio></body></html>`,
  contentLength: null,
  redirects: [PAGE],
});

describe("Apple Podcasts episode pages", () => {
  it("recognises show and episode URLs", () => {
    expect(applePodcastIds(PAGE)).toEqual({ showId: "555", episodeId: "1001" });
    expect(applePodcastIds("https://podcasts.apple.com/podcast/id555")).toEqual({ showId: "555", episodeId: null });
    expect(applePodcastIds("https://music.apple.com/us/album/x/555")).toBeNull();
  });

  it("resolves the show's feed and finds the episode by guid, with its transcript", async () => {
    const net = fakeNetwork([show, episode(1001, "rtr-3", "Episode 3: The new reading room", "ep3.mp3")]);
    const detected = await detectStage(applePage("Episode 3: The new reading room"), {
      fetch: net,
      reader: testReader,
      logger: quietLogger,
    });
    expect(net.requested[0]).toContain("id=555");
    expect(detected.primary).toMatchObject({
      kind: "audio",
      url: "https://cdn.rivertown.example/ep3.mp3?source=rss",
      durationSec: 1865,
      transcriptUrl: "https://rivertown.example/ep3.vtt",
      foundIn: "apple-podcasts → rss-enclosure",
    });
    const article = await extractStage(applePage("ignored"), detected, { reader: testReader });
    expect(article).toMatchObject({
      title: "Episode 3: The new reading room",
      siteName: "River Town Radio",
      // Keyed by Apple's own URL for the episode (trackViewUrl), never by the publisher's <link>.
      canonicalUrl: "https://podcasts.apple.com/us/podcast/river-town-radio/id555?i=1001&uo=4",
      publishedTime: "2026-11-03T08:00:00.000Z",
      extractor: "feed",
    });
    expect(article.text).toContain("The reading room opens.");
  });

  it("matches by enclosure file when the guid differs, and by the page title when the lookup is too short", async () => {
    const byFile = await resolveApplePodcastEpisode(
      PAGE,
      fakeNetwork([show, episode(1001, "other-guid", "Renamed", "ep2.mp3")]),
    );
    expect(byFile.entry.item.title).toBe("Episode 2: Closing the mill");
    const byTitle = await resolveApplePodcastEpisode(PAGE, fakeNetwork([show]), "Episode 1: Before");
    expect(byTitle.entry.guid).toBe("rtr-1");
  });

  it("falls back to Apple's own record of an episode the feed no longer lists", async () => {
    const gone = episode(1001, "rtr-0", "Episode 0: Pilot", "ep0.mp3");
    const resolved = await resolveApplePodcastEpisode(PAGE, fakeNetwork([show, gone]));
    expect(resolved.source).toBe("lookup");
    expect(resolved.entry.media[0]).toMatchObject({
      url: "https://cdn.rivertown.example/ep0.mp3",
      type: "audio/mpeg",
      durationSec: 1865,
      foundIn: "apple-podcasts-lookup",
    });
  });

  it("uses the page's own player when Apple has no feed for the show", async () => {
    const net = fakeNetwork([{ wrapperType: "track", kind: "podcast", collectionName: "Subscribers only" }]);
    await expect(resolveApplePodcastEpisode(PAGE, net)).rejects.toMatchObject({ reason: "no_media" });
    const detected = await detectStage(applePage("Episode 9"), { fetch: net, reader: testReader, logger: quietLogger });
    expect(detected.primary?.url).toBe("https://audio-ssl.itunes.apple.com/preview.m4a");
    expect(detected.feedItem).toBeUndefined();
  });
});
