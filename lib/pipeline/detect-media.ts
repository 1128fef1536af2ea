import type { Detected, Fetched, MediaItem } from "../domain";
import { applePodcastIds, resolveApplePodcastEpisode } from "../extract/apple-podcasts";
import { fetchFeed, findFeedItem, parseFeed } from "../extract/feed";
import { PODCAST_FEED_LINK } from "../extract/reader-protocol";
import { decodeEntities } from "../extract/text";
import { mediaKind, youtubeUrl } from "../extract/video-urls";
import type { PipelineDeps } from "./types";

function dedupe(items: MediaItem[]): MediaItem[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    if (seen.has(item.url)) return false;
    seen.add(item.url);
    return true;
  });
}

/** Audio first (cheapest to transcribe), then direct video files, then YouTube/Vimeo pages. */
function pickPrimary(media: MediaItem[]): MediaItem | undefined {
  return (
    media.find((m) => m.kind === "audio") ??
    media.find((m) => m.kind === "video" && m.foundIn !== "vimeo") ??
    media.find((m) => m.kind === "youtube")
  );
}

/** A percent-decoded URL part; a stray "%" is not an encoding, so the raw text stands (never a URIError). */
function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/**
 * The page's og:title or <title>, without a DOM (enough to match an episode by name). Forward indexOf scans only:
 * the page is hostile, and a pattern like `<meta[^>]+…` re-scans the rest of the page for every unclosed `<meta`.
 */
export function pageTitle(html: string): string | undefined {
  let title: string | undefined;
  const meta = /<meta/gi;
  for (let at = meta.exec(html); at !== null && title === undefined; at = meta.exec(html)) {
    const end = html.indexOf(">", at.index);
    const tag = html.slice(at.index, end === -1 ? html.length : end);
    if (/property=["']og:title["']/i.test(tag)) title = /content=["']([^"']+)["']/i.exec(tag)?.[1];
    if (end === -1) break;
    meta.lastIndex = end;
  }
  const open = /<title/gi;
  for (let at = open.exec(html); at !== null && title === undefined; at = open.exec(html)) {
    const gt = html.indexOf(">", at.index);
    const lt = gt === -1 ? -1 : html.indexOf("<", gt + 1);
    if (lt === -1) break;
    if (lt > gt + 1 && html.slice(lt, lt + 8).toLowerCase() === "</title>") title = html.slice(gt + 1, lt);
    open.lastIndex = lt;
  }
  return title ? decodeEntities(title).trim() : undefined;
}

/**
 * Stage 2: what media the URL is or carries. Never fails for lack of media: an article without any is the
 * common case. `primary` is the item the transcribe stage works on.
 */
export async function detectStage(
  fetched: Fetched,
  deps: Pick<PipelineDeps, "fetch" | "reader" | "logger">,
): Promise<Detected> {
  const url = fetched.finalUrl;
  if (fetched.kind === "media") {
    const type = fetched.contentType?.split(";")[0]?.trim();
    const media: MediaItem[] = [
      { kind: mediaKind(type, "audio"), url, ...(type ? { type } : {}), foundIn: "response" },
    ];
    return { media, primary: media[0] };
  }
  if (fetched.kind === "feed") {
    const feed = parseFeed(fetched.body, url);
    if (!feed || feed.items.length === 0) return { media: [] };
    // A link to one episode (#guid or ?episode=guid) picks it; otherwise the newest (first) item.
    const wanted = safeDecode(new URL(fetched.requestedUrl).hash.slice(1));
    const chosen = (wanted && feed.items.find((i) => i.guid === wanted || i.item.link === wanted)) || feed.items[0];
    const media = chosen?.media ?? [];
    return { media, primary: pickPrimary(media), feedItem: chosen?.item };
  }
  if (fetched.kind !== "html") return { media: [] };
  if (applePodcastIds(url)) {
    try {
      const episode = await resolveApplePodcastEpisode(url, deps.fetch, pageTitle(fetched.body));
      const media = episode.entry.media;
      return { media, primary: pickPrimary(media), feedItem: episode.entry.item };
    } catch (error) {
      // The page's own preview player is still there to fall back on.
      deps.logger.warn("Apple Podcasts: no feed episode, using the page's own media", { error });
    }
  }
  const media = dedupe([
    ...(youtubeUrl(url) ? [{ kind: "youtube" as const, url: youtubeUrl(url) ?? url, foundIn: "url" }] : []),
    ...(await deps.reader.read({ op: "media", html: fetched.body, url })),
  ]);
  const primary = pickPrimary(media);
  const feedLink = media.find((m) => m.foundIn === PODCAST_FEED_LINK);
  if (!primary && feedLink) {
    // A podcast episode page without a player: its show's feed has the enclosure (and maybe a transcript).
    const feed = await fetchFeed(feedLink.url, deps.fetch).catch((error: unknown) => {
      deps.logger.warn("podcast page: its feed could not be read", { error });
      return null;
    });
    const entry = feed ? findFeedItem(feed, { link: url, title: pageTitle(fetched.body) }) : undefined;
    if (entry)
      return { media: dedupe([...entry.media, ...media]), primary: pickPrimary(entry.media), feedItem: entry.item };
  }
  return { media, primary };
}
