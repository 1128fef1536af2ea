import type { MediaItem } from "../domain";
import { jsonLdObjects, meta, parseHtml, typesOf } from "../extract/dom";
import { parseFeed } from "../extract/feed";
import type { Detected, Fetched, PipelineDeps } from "./types";

const YOUTUBE =
  /^(?:https?:)?\/\/(?:www\.|m\.|music\.)?(?:youtube\.com\/(?:watch\?(?:.*&)?v=|shorts\/|embed\/|live\/|v\/)|youtu\.be\/|youtube-nocookie\.com\/embed\/)([\w-]{11})/i;
const VIMEO = /^(?:https?:)?\/\/(?:www\.|player\.)?vimeo\.com\/(?:video\/)?(\d+)/i;

/** A canonical watch URL for any YouTube URL form (watch, youtu.be, shorts, embed, nocookie), or null. */
export function youtubeUrl(url: string): string | null {
  const id = YOUTUBE.exec(url)?.[1];
  return id ? `https://www.youtube.com/watch?v=${id}` : null;
}

export function vimeoUrl(url: string): string | null {
  const id = VIMEO.exec(url)?.[1];
  return id ? `https://vimeo.com/${id}` : null;
}

const mediaKind = (type: string | undefined, fallback: "audio" | "video"): "audio" | "video" =>
  type?.startsWith("video/") ? "video" : type?.startsWith("audio/") ? "audio" : fallback;

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

function detectInHtml(html: string, pageUrl: string): MediaItem[] {
  const dom = parseHtml(html, pageUrl);
  try {
    const { document } = dom.window;
    const abs = (href: string | null | undefined) => {
      if (!href) return null;
      try {
        const url = new URL(href, pageUrl);
        return url.protocol === "http:" || url.protocol === "https:" ? url.toString() : null;
      } catch {
        return null;
      }
    };
    const items: MediaItem[] = [];
    const add = (item: Omit<MediaItem, "url"> & { url: string | null }) => {
      if (!item.url) return;
      const yt = youtubeUrl(item.url);
      const vimeo = vimeoUrl(item.url);
      if (yt) items.push({ kind: "youtube", url: yt, foundIn: item.foundIn });
      else if (vimeo) items.push({ kind: "video", url: vimeo, foundIn: "vimeo" });
      else items.push({ ...item, url: item.url });
    };

    const ogAudio = meta(document, "og:audio:secure_url", "og:audio", "og:audio:url");
    add({ kind: "audio", url: abs(ogAudio), type: meta(document, "og:audio:type") ?? undefined, foundIn: "og:audio" });
    const ogVideo = meta(document, "og:video:secure_url", "og:video", "og:video:url");
    const ogVideoType = meta(document, "og:video:type") ?? undefined;
    if (ogVideo && ogVideoType !== "text/html")
      add({ kind: "video", url: abs(ogVideo), type: ogVideoType, foundIn: "og:video" });
    else if (ogVideo) add({ kind: "video", url: abs(ogVideo), foundIn: "og:video" });
    const stream = meta(document, "twitter:player:stream");
    const streamType = meta(document, "twitter:player:stream:content_type") ?? undefined;
    add({ kind: mediaKind(streamType, "video"), url: abs(stream), type: streamType, foundIn: "twitter:player:stream" });

    for (const element of document.querySelectorAll("audio, video")) {
      const fallback = element.tagName.toLowerCase() === "audio" ? "audio" : "video";
      const foundIn = `${fallback}-element`;
      add({ kind: fallback, url: abs(element.getAttribute("src")), foundIn });
      for (const source of element.querySelectorAll("source")) {
        const type = source.getAttribute("type") ?? undefined;
        add({ kind: mediaKind(type, fallback), url: abs(source.getAttribute("src")), type, foundIn });
      }
    }
    for (const frame of document.querySelectorAll("iframe[src]")) {
      const src = abs(frame.getAttribute("src"));
      if (src && (youtubeUrl(src) || vimeoUrl(src))) add({ kind: "video", url: src, foundIn: "iframe" });
    }
    for (const record of jsonLdObjects(document)) {
      const types = typesOf(record);
      if (types.some((t) => ["AudioObject", "VideoObject", "PodcastEpisode", "MediaObject"].includes(t))) {
        const objects = [record, ...[record.associatedMedia, record.audio, record.video].flat()].filter(
          (o): o is Record<string, unknown> => Boolean(o) && typeof o === "object",
        );
        for (const object of objects) {
          const url =
            typeof object.contentUrl === "string"
              ? object.contentUrl
              : typeof object.embedUrl === "string"
                ? object.embedUrl
                : null;
          const type = typeof object.encodingFormat === "string" ? object.encodingFormat : undefined;
          const fallback = typesOf(object).includes("VideoObject") ? "video" : "audio";
          add({ kind: mediaKind(type, fallback), url: abs(url), type, foundIn: "json-ld" });
        }
      }
    }
    for (const link of document.querySelectorAll('link[rel="alternate"]')) {
      const type = link.getAttribute("type") ?? "";
      if (/(rss|atom)\+xml/i.test(type))
        add({ kind: "feed", url: abs(link.getAttribute("href")), type, foundIn: "link-alternate" });
    }
    return items;
  } finally {
    dom.window.close();
  }
}

/**
 * Stage 2: what media the URL is or carries. Never fails for lack of media: an article without any is the
 * common case. `primary` is the item the transcribe stage works on.
 */
export async function detectStage(fetched: Fetched, _deps: Pick<PipelineDeps, "fetch">): Promise<Detected> {
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
    const wanted = decodeURIComponent(new URL(fetched.requestedUrl).hash.slice(1));
    const chosen = (wanted && feed.items.find((i) => i.guid === wanted || i.item.link === wanted)) || feed.items[0];
    const media = chosen?.media ?? [];
    return { media, primary: pickPrimary(media), feedItem: chosen?.item };
  }
  if (fetched.kind !== "html") return { media: [] };
  const media = dedupe([
    ...(youtubeUrl(url) ? [{ kind: "youtube" as const, url: youtubeUrl(url) ?? url, foundIn: "url" }] : []),
    ...detectInHtml(fetched.body, url),
  ]);
  return { media, primary: pickPrimary(media) };
}
