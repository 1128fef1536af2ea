import { createHash } from "node:crypto";
import { z } from "zod";
import type { MediaItem } from "../domain";
import { AppError } from "../errors";
import { decodeBody } from "../extract/charset";
import { type FeedEntry, type ParsedFeed, parseFeed } from "../extract/feed";
import { canonicalizeUrl } from "../net/canonical-url";
import type { SafeResponse } from "../net/types";
import type { FeedFormat, PolledItem } from "../store/following";

/** A feed is read whole: over this many bytes it is refused while reading (the fetch's cap). */
export const FEED_MAX_BYTES = 10 * 1024 * 1024;
/** More items than any real feed carries; counted before parsing, so a feed of 100,000 items costs one scan. */
export const FEED_MAX_ITEMS = 5_000;

export interface Feed extends ParsedFeed {
  format: FeedFormat;
  siteUrl: string | null;
}

/** Whether a body looks like a feed (RSS, Atom, JSON Feed) rather than a page. */
export function looksLikeFeed(text: string, contentType: string | null): FeedFormat | null {
  const type = contentType?.split(";")[0]?.trim().toLowerCase() ?? "";
  const head = text.slice(0, 2048).trimStart();
  if (type === "application/feed+json" || (head.startsWith("{") && head.includes("jsonfeed.org/version")))
    return "json";
  if (/<feed[\s>]/.test(head)) return "atom";
  if (/<rss[\s>]|<rdf:RDF[\s>]/.test(head)) return "rss";
  if (/(rss|atom)\+xml$/.test(type)) return type.includes("atom") ? "atom" : "rss";
  return null;
}

/** Counts `<item` / `<entry` openings without a regex backtrack: one forward scan. */
function countEntries(xml: string, limit: number): number {
  let count = 0;
  for (let at = xml.indexOf("<"); at !== -1; at = xml.indexOf("<", at + 1)) {
    const next = xml.charCodeAt(at + 1);
    // i or e: cheap pre-check before comparing the tag name.
    if (next !== 105 && next !== 101) continue;
    const name = xml.slice(at + 1, at + 7);
    if (/^(item|entry)[\s>/]/.test(name)) {
      count++;
      if (count > limit) return count;
    }
  }
  return count;
}

const jsonFeedSchema = z.object({
  version: z.string().optional(),
  title: z.string().optional(),
  home_page_url: z.string().optional(),
  language: z.string().optional(),
  items: z.array(
    z
      .object({
        id: z.union([z.string(), z.number()]).optional(),
        url: z.string().optional(),
        external_url: z.string().optional(),
        title: z.string().optional(),
        content_text: z.string().optional(),
        content_html: z.string().optional(),
        summary: z.string().optional(),
        date_published: z.string().optional(),
        attachments: z
          .array(z.object({ url: z.string(), mime_type: z.string().optional() }).loose())
          .optional()
          .catch(undefined),
      })
      .loose(),
  ),
});

function parseJsonFeed(text: string, feedUrl: string): ParsedFeed {
  let data: z.infer<typeof jsonFeedSchema>;
  try {
    data = jsonFeedSchema.parse(JSON.parse(text));
  } catch (cause) {
    throw new AppError("unsupported_content", "The JSON Feed cannot be read", { cause });
  }
  if (data.items.length > FEED_MAX_ITEMS) {
    throw new AppError("too_large", `The feed has more than ${FEED_MAX_ITEMS.toLocaleString("en")} items`);
  }
  const resolve = (href: string) => {
    try {
      return new URL(href, feedUrl).toString();
    } catch {
      return href;
    }
  };
  const title = data.title ?? "";
  return {
    title,
    lang: data.language,
    items: data.items.map((item) => ({
      guid: item.id === undefined ? undefined : String(item.id),
      media: (item.attachments ?? []).map(
        (a): MediaItem => ({
          kind: a.mime_type?.startsWith("video/") ? "video" : "audio",
          url: resolve(a.url),
          ...(a.mime_type ? { type: a.mime_type } : {}),
          foundIn: "json-feed-attachment",
        }),
      ),
      item: {
        title: item.title ?? title,
        description: item.content_text ?? item.summary ?? "",
        link: item.url ? resolve(item.url) : item.external_url,
        pubDate: item.date_published,
        feedTitle: title,
        lang: data.language,
      },
    })),
  };
}

/**
 * A fetched feed, read within bounds: RSS and Atom through the shared parser (lib/extract/feed.ts), JSON Feed here.
 * Refused by name: a DTD with entity declarations (an expansion bomb; no feed needs one) and more than
 * FEED_MAX_ITEMS items (counted before the parse) are `too_large`; anything not a feed is `unsupported_content`.
 */
export function readFeed(response: Pick<SafeResponse, "body" | "contentType" | "url">): Feed {
  const decoded = decodeBody(response.body, response.contentType, { xml: true }).text;
  const format = looksLikeFeed(decoded, response.contentType);
  if (!format) throw new AppError("unsupported_content", "This is not an RSS, Atom or JSON feed");
  if (format === "json") return { ...parseJsonFeed(decoded, response.url), format, siteUrl: null };
  if (/<!ENTITY/i.test(decoded.slice(0, 64 * 1024))) {
    throw new AppError("too_large", "The feed declares XML entities (refused: an entity expansion bomb)");
  }
  if (countEntries(decoded, FEED_MAX_ITEMS) > FEED_MAX_ITEMS) {
    throw new AppError("too_large", `The feed has more than ${FEED_MAX_ITEMS.toLocaleString("en")} items`);
  }
  const parsed = parseFeed(decoded, response.url);
  if (!parsed) throw new AppError("unsupported_content", "The feed's XML cannot be read");
  return { ...parsed, format, siteUrl: null };
}

const hash = (value: string) => createHash("sha256").update(value).digest("base64url");

function canonical(url: string): string {
  try {
    return canonicalizeUrl(url);
  } catch {
    return url;
  }
}

/** The media a job would transcribe: the first audio or video enclosure. */
const enclosureOf = (entry: FeedEntry) => entry.media.find((m) => m.kind === "audio" || m.kind === "video");

/**
 * What a job summarizes for an item: a podcast's episode is its audio (what the show is), anything else its page
 * (a post, a YouTube watch URL); an item with neither gets no job.
 */
export function itemUrl(entry: FeedEntry): string | null {
  return enclosureOf(entry)?.url ?? entry.item.link ?? null;
}

/**
 * Each item's keys, hashed: guid, canonical link, enclosure URL, or (none of them) its title, date and text. A key
 * that several items of one document share (a feed whose every <link> is its home page) identifies none of them and
 * is dropped; an item left with no key is known by its content.
 */
export function polledItems(feed: ParsedFeed): PolledItem[] {
  const candidates = feed.items.map((entry) => {
    const enclosure = enclosureOf(entry)?.url;
    return [
      entry.guid ? `g:${hash(entry.guid)}` : null,
      entry.item.link ? `l:${hash(canonical(entry.item.link))}` : null,
      enclosure ? `e:${hash(canonical(enclosure))}` : null,
    ].filter((k): k is string => k !== null);
  });
  const uses = new Map<string, number>();
  for (const keys of candidates) for (const key of new Set(keys)) uses.set(key, (uses.get(key) ?? 0) + 1);
  const items = feed.items.map((entry, i) => {
    const unique = [...new Set(candidates[i])].filter((k) => uses.get(k) === 1);
    const keys =
      unique.length > 0
        ? unique
        : [
            `h:${hash([entry.item.title, entry.item.pubDate ?? "", entry.item.description.slice(0, 2_000)].join("\n"))}`,
          ];
    const published = entry.item.pubDate ? Date.parse(entry.item.pubDate) : Number.NaN;
    return {
      keys,
      title: entry.item.title.slice(0, 500),
      url: itemUrl(entry),
      ...(Number.isNaN(published) ? {} : { publishedAt: new Date(published).toISOString() }),
    };
  });
  // Newest first where dates say so (the first poll's backfill takes the newest); undated items keep their place.
  return items
    .map((item, index) => ({ item, index }))
    .sort((a, b) => {
      const da = a.item.publishedAt ? Date.parse(a.item.publishedAt) : null;
      const db = b.item.publishedAt ? Date.parse(b.item.publishedAt) : null;
      return da !== null && db !== null && da !== db ? db - da : a.index - b.index;
    })
    .map(({ item }) => item);
}
