import { afterAll, describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { createReader } from "../extract/reader-pool";
import type { SafeFetch, SafeResponse } from "../net/types";
import { resolveFeed, youtubeFeedUrl } from "./discover";
import { polledItems, readFeed } from "./parse";

const reader = createReader();
afterAll(() => reader.close());

const RSS = `<?xml version="1.0"?><rss version="2.0"><channel><title>The Show</title><language>fr</language>
<item><guid>e1</guid><title>Episode 1</title><enclosure url="https://cdn.example/1.mp3" type="audio/mpeg"/></item>
</channel></rss>`;

/** A fetcher answering from a table of URLs (the guard itself is tested in lib/net); anything else is a 404. */
function tableFetch(pages: Record<string, { type: string; body: string }>, asked: string[] = []): SafeFetch {
  return async (url) => {
    asked.push(url);
    const page = pages[url];
    if (!page) throw new AppError("http_error", `The page does not exist (HTTP 404): ${url}`, { status: 404 });
    const response: SafeResponse = {
      url,
      status: 200,
      headers: { "content-type": page.type },
      contentType: page.type,
      body: new TextEncoder().encode(page.body),
      bodyRead: true,
      redirects: [url],
    };
    return response;
  };
}

describe("resolveFeed", () => {
  it("takes a feed as it is", async () => {
    const fetch = tableFetch({ "https://show.example/feed": { type: "application/rss+xml", body: RSS } });
    expect(await resolveFeed("https://show.example/feed", { fetch, reader })).toMatchObject({
      feedUrl: "https://show.example/feed",
      kind: "feed",
      format: "rss",
      title: "The Show",
      lang: "fr",
    });
  });

  it("follows the feed a page names in <link rel=alternate>, relative to the page", async () => {
    const fetch = tableFetch({
      "https://blog.example/": {
        type: "text/html",
        body: '<html><head><title>Blog</title><link rel="alternate" type="application/atom+xml" href="/atom.xml"></head><body>Hi</body></html>',
      },
      "https://blog.example/atom.xml": {
        type: "application/atom+xml",
        body: '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Blog feed</title><entry><id>tag:1</id><title>One</title><link href="https://blog.example/1"/></entry></feed>',
      },
    });
    expect(await resolveFeed("https://blog.example/", { fetch, reader })).toMatchObject({
      feedUrl: "https://blog.example/atom.xml",
      kind: "page",
      format: "atom",
      title: "Blog feed",
    });
  });

  it("refuses a page that names no feed, by name", async () => {
    const fetch = tableFetch({
      "https://plain.example/": { type: "text/html", body: "<html><body>No feed</body></html>" },
    });
    await expect(resolveFeed("https://plain.example/", { fetch, reader })).rejects.toMatchObject({
      reason: "unsupported_content",
    });
  });

  it("reads a JSON Feed, its attachments as media", async () => {
    const json = JSON.stringify({
      version: "https://jsonfeed.org/version/1.1",
      title: "JSON show",
      items: [{ id: "1", title: "A", attachments: [{ url: "https://cdn.example/a.mp3", mime_type: "audio/mpeg" }] }],
    });
    const fetch = tableFetch({ "https://j.example/feed.json": { type: "application/feed+json", body: json } });
    const resolved = await resolveFeed("https://j.example/feed.json", { fetch, reader });
    expect(resolved).toMatchObject({ format: "json", title: "JSON show" });
    expect(polledItems(resolved.feed)[0]).toMatchObject({ title: "A", url: "https://cdn.example/a.mp3" });
  });

  it("follows an Apple Podcasts show to the feed Apple's lookup names", async () => {
    const asked: string[] = [];
    const fetch = tableFetch(
      {
        "https://itunes.apple.com/lookup?id=123456": {
          type: "application/json",
          body: JSON.stringify({ results: [{ kind: "podcast", feedUrl: "https://feeds.example/show.rss" }] }),
        },
        "https://feeds.example/show.rss": { type: "application/rss+xml", body: RSS },
      },
      asked,
    );
    expect(
      await resolveFeed("https://podcasts.apple.com/us/podcast/the-show/id123456", { fetch, reader }),
    ).toMatchObject({ feedUrl: "https://feeds.example/show.rss", kind: "apple", title: "The Show" });
    expect(asked).toEqual(["https://itunes.apple.com/lookup?id=123456", "https://feeds.example/show.rss"]);
  });

  it("follows a YouTube handle's page to its channel feed", async () => {
    const feed = "https://www.youtube.com/feeds/videos.xml?channel_id=UCaaaaaaaaaaaaaaaaaaaaaa";
    const fetch = tableFetch({
      "https://www.youtube.com/@someone": {
        type: "text/html",
        body: `<html><head><link rel="alternate" type="application/rss+xml" title="RSS" href="${feed}"></head><body></body></html>`,
      },
      [feed]: {
        type: "application/atom+xml",
        body: '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Someone</title></feed>',
      },
    });
    expect(await resolveFeed("https://www.youtube.com/@someone", { fetch, reader })).toMatchObject({
      feedUrl: feed,
      kind: "youtube",
      title: "Someone",
    });
  });
});

describe("youtubeFeedUrl", () => {
  it("maps channel and playlist URLs to their public feeds; handles need their page", () => {
    expect(youtubeFeedUrl("https://www.youtube.com/channel/UCaaaaaaaaaaaaaaaaaaaaaa/videos")).toBe(
      "https://www.youtube.com/feeds/videos.xml?channel_id=UCaaaaaaaaaaaaaaaaaaaaaa",
    );
    expect(youtubeFeedUrl("https://youtube.com/playlist?list=PLxyz_123")).toBe(
      "https://www.youtube.com/feeds/videos.xml?playlist_id=PLxyz_123",
    );
    expect(youtubeFeedUrl("https://www.youtube.com/@someone")).toBeNull();
    expect(youtubeFeedUrl("https://example.com/channel/UCaaaaaaaaaaaaaaaaaaaaaa")).toBeNull();
  });
});

describe("polledItems", () => {
  it("drops a key every item shares (a feed whose links all point home) and knows such items by content", () => {
    const xml = `<?xml version="1.0"?><rss><channel><title>T</title>
      <item><title>A</title><link>https://home.example/</link></item>
      <item><title>B</title><link>https://home.example/</link></item></channel></rss>`;
    const items = polledItems(
      readFeed({ body: new TextEncoder().encode(xml), contentType: "application/rss+xml", url: "https://f.example/" }),
    );
    expect(items).toHaveLength(2);
    expect(items.every((i) => i.keys.length === 1 && i.keys[0]?.startsWith("h:"))).toBe(true);
    expect(items[0]?.keys[0]).not.toBe(items[1]?.keys[0]);
  });
});
