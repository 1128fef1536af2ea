import { XMLParser } from "fast-xml-parser";
import type { FeedItem, MediaItem } from "../domain";
import { canonicalizeUrl } from "../net/canonical-url";
import type { SafeFetch } from "../net/types";
import { decodeBody } from "./charset";

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@",
  textNodeName: "#text",
  isArray: (name) => ["item", "entry", "enclosure", "podcast:transcript", "link"].includes(name),
  processEntities: true,
});

type Node = Record<string, unknown>;
const text = (value: unknown): string => {
  if (typeof value === "string" || typeof value === "number") return String(value).trim();
  if (value && typeof value === "object" && "#text" in value) return String((value as Node)["#text"]).trim();
  return "";
};
const asArray = (value: unknown): Node[] => (Array.isArray(value) ? value : value ? [value] : []) as Node[];

/** itunes:duration is seconds, MM:SS or HH:MM:SS. */
export function parseDuration(value: string): number | undefined {
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value);
  const parts = value.split(":").map(Number);
  if (parts.some((p) => !Number.isFinite(p))) return undefined;
  return parts.reduce((total, part) => total * 60 + part, 0);
}

export interface ParsedFeed {
  title: string;
  lang?: string;
  items: { item: FeedItem; guid?: string; media: MediaItem[] }[];
}

/** RSS 2.0 (with iTunes and Podcasting 2.0 namespaces) and Atom. */
export function parseFeed(xml: string, feedUrl: string): ParsedFeed | null {
  let doc: Node;
  try {
    doc = parser.parse(xml) as Node;
  } catch {
    return null;
  }
  const channel = (doc.rss as Node | undefined)?.channel as Node | undefined;
  const atom = doc.feed as Node | undefined;
  const root = channel ?? atom;
  if (!root) return null;
  const resolve = (href: string) => {
    try {
      return new URL(href, feedUrl).toString();
    } catch {
      return href;
    }
  };
  const feedTitle = text(root.title);
  const entries = asArray(channel ? root.item : root.entry);
  return {
    title: feedTitle,
    lang: text(root.language) || undefined,
    items: entries.map((entry) => {
      const transcripts = asArray(entry["podcast:transcript"]);
      const preferred =
        transcripts.find((t) => /vtt|srt|subrip/.test(String(t["@type"]))) ??
        transcripts.find((t) => /json/.test(String(t["@type"]))) ??
        transcripts[0];
      const links = asArray(entry.link);
      const enclosures = [
        ...asArray(entry.enclosure),
        ...links.filter((l) => l["@rel"] === "enclosure").map((l) => ({ "@url": l["@href"], "@type": l["@type"] })),
      ];
      const media: MediaItem[] = enclosures
        .filter((e) => typeof e["@url"] === "string")
        .map((e) => {
          const type = typeof e["@type"] === "string" ? e["@type"] : undefined;
          return {
            kind: type?.startsWith("video/") ? "video" : "audio",
            url: resolve(String(e["@url"])),
            ...(type ? { type } : {}),
            ...(parseDuration(text(entry["itunes:duration"])) !== undefined
              ? { durationSec: parseDuration(text(entry["itunes:duration"])) }
              : {}),
            foundIn: "rss-enclosure",
            ...(preferred?.["@url"]
              ? { transcriptUrl: resolve(String(preferred["@url"])), transcriptType: String(preferred["@type"] ?? "") }
              : {}),
          };
        });
      // RSS: <link>url</link>; Atom: <link rel="alternate" href="url"/>.
      const link =
        links.map(text).find(Boolean) ||
        String(links.find((l) => !l["@rel"] || l["@rel"] === "alternate")?.["@href"] ?? "");
      return {
        guid: text(entry.guid) || text(entry.id) || undefined,
        media,
        item: {
          title: text(entry.title) || feedTitle,
          description:
            text(entry["content:encoded"]) || text(entry.description) || text(entry.summary) || text(entry.content),
          link: link || undefined,
          author:
            text(entry["itunes:author"]) ||
            text(entry.author) ||
            text((entry.author as Node | undefined)?.name) ||
            undefined,
          pubDate: text(entry.pubDate) || text(entry.published) || text(entry.updated) || undefined,
          feedTitle,
          lang: text(root.language) || undefined,
        },
      };
    }),
  };
}

export type FeedEntry = ParsedFeed["items"][number];

const withoutQuery = (url: string) => url.split(/[?#]/)[0] ?? url;
const sameLink = (a: string, b: string) => {
  try {
    return canonicalizeUrl(a) === canonicalizeUrl(b);
  } catch {
    return false;
  }
};

/** The feed item that is this episode: same guid, same enclosure file, same web page, or same title. */
export function findFeedItem(
  feed: ParsedFeed,
  hints: { guid?: string; audioUrl?: string; link?: string; title?: string },
): FeedEntry | undefined {
  const audio = hints.audioUrl ? withoutQuery(hints.audioUrl) : null;
  const title = hints.title?.trim().toLowerCase();
  return (
    feed.items.find((i) => hints.guid && i.guid === hints.guid) ??
    feed.items.find((i) => audio && i.media.some((m) => withoutQuery(m.url) === audio)) ??
    feed.items.find((i) => hints.link && i.item.link && sameLink(i.item.link, hints.link)) ??
    feed.items.find((i) => title && i.item.title.trim().toLowerCase() === title)
  );
}

/** A feed found by following a link (Apple's lookup, a podcast page): fetched, decoded like any page, parsed. */
export async function fetchFeed(url: string, fetch: SafeFetch): Promise<ParsedFeed | null> {
  const response = await fetch(url, { maxBytes: 15 * 1024 * 1024 });
  return parseFeed(decodeBody(response.body, response.contentType, { xml: true }).text, response.url);
}
