import { z } from "zod";
import { AppError } from "../errors";
import { applePodcastIds, ITUNES_LOOKUP } from "../extract/apple-podcasts";
import { decodeBody } from "../extract/charset";
import type { Reader } from "../extract/reader-protocol";
import type { SafeFetch } from "../net/types";
import type { FeedFormat, SubscriptionKind } from "../store/following";
import { FEED_MAX_BYTES, type Feed, looksLikeFeed, readFeed } from "./parse";

export interface ResolvedFeed {
  feedUrl: string;
  kind: SubscriptionKind;
  format: FeedFormat;
  title: string;
  lang: string | null;
  feed: Feed;
}

const YOUTUBE_HOST = /^(?:www\.|m\.)?youtube\.com$/i;
const YOUTUBE_FEED = "https://www.youtube.com/feeds/videos.xml";
/** A page is read for its <link rel=alternate> only: its head is enough, and a huge page costs no more than this. */
const PAGE_MAX_BYTES = 2 * 1024 * 1024;

/** A YouTube channel or playlist URL's public feed, when the URL itself names it (handles need their page). */
export function youtubeFeedUrl(input: string): string | null {
  const url = new URL(input);
  if (!YOUTUBE_HOST.test(url.hostname)) return null;
  const list = url.searchParams.get("list");
  if (list && /^[\w-]{2,64}$/.test(list)) return `${YOUTUBE_FEED}?playlist_id=${list}`;
  const channel = /^\/channel\/(UC[\w-]{22})(?:\/|$)/.exec(url.pathname)?.[1];
  return channel ? `${YOUTUBE_FEED}?channel_id=${channel}` : null;
}

const lookupSchema = z.object({
  results: z.array(z.object({ feedUrl: z.string().optional(), collectionName: z.string().optional() }).loose()),
});

/** An Apple Podcasts show's own feed, named by Apple's public lookup API. */
async function appleShowFeed(showId: string, fetch: SafeFetch): Promise<string> {
  const response = await fetch(`${ITUNES_LOOKUP}?id=${showId}`, { maxBytes: 1024 * 1024 });
  let lookup: z.infer<typeof lookupSchema>;
  try {
    lookup = lookupSchema.parse(JSON.parse(new TextDecoder().decode(response.body)));
  } catch (cause) {
    throw new AppError("http_error", "Apple's podcast lookup answered with something unreadable", { cause });
  }
  const feedUrl = lookup.results.find((r) => r.feedUrl)?.feedUrl;
  if (!feedUrl) {
    throw new AppError("no_media", "Apple does not publish a feed for this show (subscriber-only or removed)");
  }
  return feedUrl;
}

async function fetchFeedAt(url: string, fetch: SafeFetch): Promise<Feed & { url: string }> {
  const response = await fetch(url, { maxBytes: FEED_MAX_BYTES });
  return { ...readFeed(response), url: response.url };
}

const resolved = (feed: Feed & { url: string }, kind: SubscriptionKind): ResolvedFeed => ({
  feedUrl: feed.url,
  kind,
  format: feed.format,
  title: feed.title,
  lang: feed.lang ?? null,
  feed,
});

/**
 * What to follow for a URL: the feed itself (RSS, Atom, JSON Feed), the feed a page names (`<link rel=alternate>`,
 * read in the extraction worker), an Apple Podcasts show's feed, a YouTube channel's, handle's or playlist's public
 * feed. Every request goes through the guarded fetcher; a page without a feed is `unsupported_content`.
 */
export async function resolveFeed(url: string, deps: { fetch: SafeFetch; reader: Reader }): Promise<ResolvedFeed> {
  const apple = applePodcastIds(url);
  if (apple) return resolved(await fetchFeedAt(await appleShowFeed(apple.showId, deps.fetch), deps.fetch), "apple");
  const youtube = youtubeFeedUrl(url);
  if (youtube) return resolved(await fetchFeedAt(youtube, deps.fetch), "youtube");

  const response = await deps.fetch(url, { maxBytes: FEED_MAX_BYTES });
  const text = decodeBody(response.body, response.contentType, { xml: true }).text;
  if (looksLikeFeed(text, response.contentType)) return resolved({ ...readFeed(response), url: response.url }, "feed");

  const html = text.length > PAGE_MAX_BYTES ? text.slice(0, PAGE_MAX_BYTES) : text;
  const links = (await deps.reader.read({ op: "media", html, url: response.url })).filter((m) => m.kind === "feed");
  const link = links.find((m) => /rss|atom/i.test(m.type ?? "")) ?? links[0];
  if (!link) throw new AppError("unsupported_content", "No feed found: the page names none (<link rel=alternate>)");
  const isYoutube = YOUTUBE_HOST.test(new URL(response.url).hostname);
  return resolved(await fetchFeedAt(link.url, deps.fetch), isYoutube ? "youtube" : "page");
}
