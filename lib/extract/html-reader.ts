import { isProbablyReaderable, Readability } from "@mozilla/readability";
import createDOMPurify from "dompurify";
import type { JSDOM } from "jsdom";
import type { Extracted, MediaItem } from "../domain";
import { AppError } from "../errors.ts";
import { canonicalizeUrl, resolveCanonicalLink } from "../net/canonical-url.ts";
import { SANITIZE_CONFIG } from "../render/sanitize-config.ts";
import { removeBoilerplate } from "./boilerplate.ts";
import { blockText, IFRAME_PLACEHOLDER, jsonLdObjects, meta, parseHtml, typesOf } from "./dom.ts";
import { PODCAST_FEED_LINK } from "./reader-protocol.ts";
import { recoverProse, snapshotBlocks } from "./recover.ts";
import { flattenDeepTags, MIN_ARTICLE_CHARS, normalizeText, READABILITY_VERSION } from "./text.ts";
import { cleanTitle } from "./title.ts";
import { mediaKind, vimeoUrl, youtubeUrl } from "./video-urls.ts";
import { detectWall } from "./walls.ts";

/**
 * Everything that builds a DOM: media detection and article reading. It runs inside the extraction worker
 * (lib/extract/page-worker.ts), which Node starts from this TypeScript source directly, so value imports
 * here carry their .ts extension.
 */

/** An http(s) URL resolved against the page, or null (javascript:, data:, garbage). */
const absoluteHttp = (href: string | null | undefined, base: string): string | null => {
  if (!href) return null;
  try {
    const url = new URL(href, base);
    return url.protocol === "http:" || url.protocol === "https:" ? url.toString() : null;
  } catch {
    return null;
  }
};

export function detectMediaInHtml(html: string, pageUrl: string): MediaItem[] {
  const dom = parseHtml(html, pageUrl);
  try {
    const { document } = dom.window;
    const abs = (href: string | null | undefined) => absoluteHttp(href, pageUrl);
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
    for (const frame of document.querySelectorAll(`${IFRAME_PLACEHOLDER}[src], iframe[src]`)) {
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
    // On a page that says it is a podcast episode, the feed link leads to the episode's audio and transcript.
    const podcastPage =
      /podcast|episode/i.test(meta(document, "og:type") ?? "") ||
      jsonLdObjects(document).some((record) => typesOf(record).includes("PodcastEpisode"));
    for (const link of document.querySelectorAll('link[rel="alternate"]')) {
      const type = link.getAttribute("type") ?? "";
      const foundIn = podcastPage ? PODCAST_FEED_LINK : "link-alternate";
      if (/(rss|atom)\+xml/i.test(type)) add({ kind: "feed", url: abs(link.getAttribute("href")), type, foundIn });
    }
    return items;
  } finally {
    dom.window.close();
  }
}

const HIDING_STYLE =
  /display\s*:\s*none|visibility\s*:\s*hidden|(left|top)\s*:\s*-\d{3,}px|font-size\s*:\s*0(px)?\s*(;|$)/i;

/**
 * Hidden text never reaches the LLM: it is where prompt injections hide. One pass over the candidates (attribute
 * substring selectors are slow in jsdom). A <noscript> holding only an image stays: Readability uses it to
 * resolve lazy-loaded images.
 */
function removeHidden(document: Document): void {
  for (const el of document.querySelectorAll("[hidden], [aria-hidden], [style], noscript")) {
    const hidden =
      el.hasAttribute("hidden") ||
      el.getAttribute("aria-hidden") === "true" ||
      HIDING_STYLE.test(el.getAttribute("style") ?? "") ||
      (el.localName === "noscript" && (el.textContent ?? "").trim() !== "");
    if (hidden) el.remove();
  }
}

interface PageMetadata {
  author?: string;
  published?: string;
  headline?: string;
  image?: string;
}

const firstString = (value: unknown, key: string): string | undefined => {
  const first: unknown = Array.isArray(value) ? value[0] : value;
  if (typeof first === "string") return first;
  const nested = first && typeof first === "object" ? (first as Record<string, unknown>)[key] : undefined;
  return typeof nested === "string" ? nested : undefined;
};

/** JSON-LD's Article / NewsArticle / BlogPosting / PodcastEpisode / VideoObject record, when the page has one. */
function fromJsonLd(document: Document): PageMetadata {
  for (const record of jsonLdObjects(document)) {
    const types = typesOf(record);
    if (!types.some((t) => /Article|Posting|PodcastEpisode|VideoObject|Report/.test(t))) continue;
    return {
      author: firstString(record.author, "name"),
      published: firstString(record.datePublished, "@value") ?? firstString(record.uploadDate, "@value"),
      headline: firstString(record.headline, "@value") ?? firstString(record.name, "@value"),
      image: firstString(record.image, "url") ?? firstString(record.thumbnailUrl, "url"),
    };
  }
  return {};
}

/** Open Graph, Twitter cards and the page's own markup, for what Readability and JSON-LD did not say. */
function fromMarkup(document: Document): PageMetadata {
  const time = document.querySelector("article time[datetime], time[itemprop='datePublished'], time[datetime]");
  return {
    author: meta(document, "author", "article:author") ?? undefined,
    published:
      meta(document, "article:published_time", "og:published_time", "date", "dc.date") ??
      time?.getAttribute("datetime") ??
      undefined,
    image:
      meta(document, "og:image:secure_url", "og:image", "og:image:url", "twitter:image", "twitter:image:src") ??
      undefined,
  };
}

/** Elements nested deeper than this under the sanitized root become their text: nesting costs every later pass. */
export const MAX_HTML_DEPTH = 48;

/** Flattens what is nested deeper than MAX_HTML_DEPTH into text, with an explicit stack (no recursion). */
function capDepth(root: Element): void {
  const stack: [Element, number][] = [[root, 0]];
  for (let entry = stack.pop(); entry; entry = stack.pop()) {
    const [element, depth] = entry;
    for (const child of Array.from(element.children)) {
      if (depth + 1 >= MAX_HTML_DEPTH) {
        child.replaceWith(child.ownerDocument.createTextNode(child.textContent ?? ""));
      } else stack.push([child, depth + 1]);
    }
  }
}

/** Sanitizes Readability's result where it stands, instead of serializing it and parsing it again. */
function sanitizeInPlace(dom: JSDOM, element: Element): string {
  capDepth(element);
  createDOMPurify(dom.window).sanitize(element, { ...SANITIZE_CONFIG, IN_PLACE: true });
  return element.innerHTML;
}

/** A fragment from outside (feed item notes), sanitized once here in the worker, depth-capped, for storing. */
export function sanitizeFragment(html: string): string {
  const dom = parseHtml(`<!doctype html><body>${flattenDeepTags(html, MAX_HTML_DEPTH)}</body>`, "about:blank");
  try {
    return sanitizeInPlace(dom, dom.window.document.body);
  } finally {
    dom.window.close();
  }
}

export function readArticleHtml(html: string, url: string, media: MediaItem[]): Extracted {
  const dom = parseHtml(html, url);
  let fallbackDom: JSDOM | null = null;
  try {
    const { document } = dom.window;
    const canonicalUrl =
      resolveCanonicalLink(document.querySelector('link[rel="canonical"]')?.getAttribute("href"), url) ??
      canonicalizeUrl(url);
    const title0 = meta(document, "og:title", "twitter:title") ?? document.title ?? "";
    const wall = detectWall({
      title: document.title ?? "",
      text: document.body?.textContent ?? "",
      html,
    });
    if (wall && media.length === 0) {
      throw new AppError("paywall_or_bot_wall", `The site served ${wall} instead of the article`);
    }
    removeHidden(document);
    const readerable = isProbablyReaderable(document, { minContentLength: 140, minScore: 20 });
    const ld = fromJsonLd(document);
    const markup = fromMarkup(document);
    const lang = document.documentElement.getAttribute("lang");
    // Readability mutates the document it reads, so metadata and the page's text blocks are read first.
    // Classes stay on until the boilerplate pass has read them, then go as Readability would remove them.
    // The recovery pass puts back the prose Readability left out (a standfirst, a split body); the boilerplate
    // pass then judges all of it alike.
    const blocks = document.body ? snapshotBlocks(document.body) : [];
    const article = new Readability(document, { serializer: (node) => node, keepClasses: true }).parse();
    let content = article?.content instanceof dom.window.Element ? article.content : null;
    // Too little text to be an article (unless media come with it): a page Readability is unsure of must hold more.
    const tooShort = (length: number) => length < MIN_ARTICLE_CHARS / 2 || (!readerable && length < MIN_ARTICLE_CHARS);
    let found = 0;
    if (content) {
      recoverProse(content, blocks);
      found = normalizeText(content.textContent ?? "").length;
      // The pass must not turn a short article into a refusal: on short results, the uncleaned copy is kept
      // for when the cleaned text would be refused.
      const uncleaned = found < 3 * MIN_ARTICLE_CHARS ? content.cloneNode(true) : null;
      removeBoilerplate(content);
      if (
        uncleaned instanceof dom.window.Element &&
        tooShort(normalizeText(content.textContent ?? "").length) &&
        !tooShort(found)
      )
        content = uncleaned;
      for (const el of content.querySelectorAll("[class]"))
        if (el.getAttribute("class") !== "page") el.removeAttribute("class");
    }
    let text = normalizeText(content ? blockText(content) : (article?.textContent ?? ""));
    let body = content;
    // Readability found too little (it missed the article, or gave up): the page's own text blocks, cleaned by the
    // same pass, when they hold clearly more. Costs a second parse, only on such pages.
    if (found < MIN_ARTICLE_CHARS && html.length <= MAX_FALLBACK_HTML) {
      fallbackDom = parseHtml(html, url);
      const fallback = bodyBlocks(fallbackDom.window.document);
      const fallbackText = fallback ? normalizeText(blockText(fallback)) : "";
      if (fallback && fallbackText.length >= MIN_ARTICLE_CHARS && fallbackText.length > 1.5 * text.length) {
        text = fallbackText;
        body = fallback;
      }
    }
    if (((!article && body === null) || tooShort(text.length)) && media.length === 0) {
      throw new AppError("not_an_article", "The page has no readable article text and no media");
    }
    return {
      url,
      canonicalUrl,
      title:
        cleanTitle({
          title: article?.title || ld.headline || title0,
          siteName: article?.siteName?.trim() || meta(document, "og:site_name"),
          headline: ld.headline,
          ogTitle: meta(document, "og:title"),
        }) || new URL(url).hostname,
      byline: article?.byline?.trim() || ld.author || markup.author || null,
      siteName: article?.siteName?.trim() || meta(document, "og:site_name") || null,
      lang: article?.lang || lang || null,
      publishedTime: article?.publishedTime || ld.published || markup.published || null,
      excerpt: article?.excerpt?.trim() || meta(document, "description", "og:description") || null,
      text: text.length >= MIN_ARTICLE_CHARS / 2 ? text : "",
      html: body ? sanitizeInPlace(body === content ? dom : (fallbackDom ?? dom), body) : "",
      leadImage: absoluteHttp(markup.image ?? ld.image, url),
      media,
      extractor: READABILITY_VERSION,
    };
  } finally {
    dom.window.close();
    fallbackDom?.window.close();
  }
}

/** The fallback parses the page a second time: only pages small enough that two DOMs fit any worker's heap. */
const MAX_FALLBACK_HTML = 1024 * 1024;

/** Elements that are never the article, whatever a page's markup says. */
const NEVER_ARTICLE =
  "nav, header, footer, aside, form, menu, button, select, [role=navigation], [role=banner], [role=contentinfo], [role=complementary], [role=search]";

/**
 * The fallback reader: the body without hidden text, landmarks that are never the article, and the boilerplate
 * pass's furniture; null when nothing is left. Only prose-like blocks count toward the length test.
 */
function bodyBlocks(document: Document): Element | null {
  const body = document.body;
  if (!body) return null;
  removeHidden(document);
  for (const el of body.querySelectorAll(NEVER_ARTICLE)) el.remove();
  removeBoilerplate(body, { maxShare: 0.5 });
  for (const el of body.querySelectorAll("[class]")) el.removeAttribute("class");
  return (body.textContent ?? "").trim() ? body : null;
}
