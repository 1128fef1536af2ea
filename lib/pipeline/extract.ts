import { isProbablyReaderable, Readability } from "@mozilla/readability";
import type { Extracted } from "../domain";
import { AppError } from "../errors";
import { jsonLdObjects, meta, parseHtml, typesOf } from "../extract/dom";
import { readPdf } from "../extract/pdf";
import { detectWall } from "../extract/walls";
import { canonicalizeUrl, resolveCanonicalLink } from "../net/canonical-url";
import { sanitizeForRender } from "../render/safe-html";
import type { Detected, Fetched } from "./types";

export const READABILITY_VERSION = "readability@0.6.0";
/** Below this many characters a page is not an article (unless it carries media to transcribe). */
export const MIN_ARTICLE_CHARS = 400;

const normalizeText = (text: string) =>
  text
    .replace(/[ \t\u00a0]+/g, " ")
    .replace(/\s*\n\s*/g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();

/** Hidden text never reaches the LLM: it is where prompt injections hide. */
function removeHidden(document: Document): void {
  for (const el of document.querySelectorAll(
    '[hidden], [aria-hidden="true"], [style*="display:none"], [style*="display: none"], [style*="visibility:hidden"], [style*="visibility: hidden"], noscript',
  )) {
    el.remove();
  }
  for (const el of document.querySelectorAll("[style]")) {
    const style = el.getAttribute("style") ?? "";
    if (/(left|top)\s*:\s*-\d{3,}px/i.test(style) || /font-size\s*:\s*0(px)?\s*(;|$)/i.test(style)) el.remove();
  }
}

function fromJsonLd(document: Document): { author?: string; published?: string; headline?: string } {
  for (const record of jsonLdObjects(document)) {
    const types = typesOf(record);
    if (!types.some((t) => /Article|Posting|PodcastEpisode|VideoObject|Report/.test(t))) continue;
    const author = [record.author].flat()[0];
    const authorName = typeof author === "string" ? author : (author as { name?: unknown } | undefined)?.name;
    return {
      author: typeof authorName === "string" ? authorName : undefined,
      published: typeof record.datePublished === "string" ? record.datePublished : undefined,
      headline: typeof record.headline === "string" ? record.headline : undefined,
    };
  }
  return {};
}

function extractHtml(fetched: Fetched, detected: Detected): Extracted {
  const url = fetched.finalUrl;
  const dom = parseHtml(fetched.body, url);
  try {
    const { document } = dom.window;
    const canonicalUrl =
      resolveCanonicalLink(document.querySelector('link[rel="canonical"]')?.getAttribute("href"), url) ??
      canonicalizeUrl(url);
    const title0 = meta(document, "og:title", "twitter:title") ?? document.title ?? "";
    const wall = detectWall({
      title: document.title ?? "",
      text: document.body?.textContent ?? "",
      html: fetched.body,
    });
    if (wall && detected.media.length === 0) {
      throw new AppError("paywall_or_bot_wall", `The site served ${wall} instead of the article`);
    }
    removeHidden(document);
    const readerable = isProbablyReaderable(document, { minContentLength: 140, minScore: 20 });
    const ld = fromJsonLd(document);
    const lang = document.documentElement.getAttribute("lang");
    // Readability mutates the document it reads, so metadata is read first.
    const article = new Readability(document, { charThreshold: 300 }).parse();
    const text = normalizeText(article?.textContent ?? "");
    if (
      (!article || (!readerable && text.length < MIN_ARTICLE_CHARS) || text.length < MIN_ARTICLE_CHARS / 2) &&
      detected.media.length === 0
    ) {
      throw new AppError("not_an_article", "The page has no readable article text and no media");
    }
    return {
      url,
      canonicalUrl,
      title: (article?.title || ld.headline || title0 || new URL(url).hostname).trim(),
      byline: article?.byline?.trim() || ld.author || meta(document, "author", "article:author") || null,
      siteName: article?.siteName?.trim() || meta(document, "og:site_name") || null,
      lang: article?.lang || lang || null,
      publishedTime: article?.publishedTime || ld.published || meta(document, "article:published_time") || null,
      excerpt: article?.excerpt?.trim() || meta(document, "description", "og:description") || null,
      text: text.length >= MIN_ARTICLE_CHARS / 2 ? text : "",
      html: article?.content ? sanitizeForRender(article.content) : "",
      leadImage: meta(document, "og:image", "twitter:image"),
      media: detected.media,
      extractor: READABILITY_VERSION,
    };
  } finally {
    dom.window.close();
  }
}

function stripTags(html: string): string {
  return normalizeText(
    html
      .replace(/<(br|\/p|\/div|\/li|\/h\d)\s*\/?>/gi, "\n")
      .replace(/<[^>]+>/g, " ")
      .replace(/&nbsp;/g, " "),
  );
}

/**
 * Stage 3: the readable text and its metadata. HTML pages go through Readability; feed items and direct
 * media produce what their metadata offers (the transcript follows). Walls and empty pages fail here,
 * before any LLM cost.
 */
export async function extractStage(fetched: Fetched, detected: Detected): Promise<Extracted> {
  const url = fetched.finalUrl;
  const base = {
    url,
    canonicalUrl: canonicalizeUrl(url),
    media: detected.media,
    byline: null,
    siteName: null,
    lang: null,
    publishedTime: null,
    excerpt: null,
  };
  switch (fetched.kind) {
    case "html":
      return extractHtml(fetched, detected);
    case "feed": {
      const item = detected.feedItem;
      if (!item) throw new AppError("no_media", "The feed has no episodes");
      const link = item.link ? canonicalizeUrl(new URL(item.link, url).toString()) : null;
      return {
        ...base,
        canonicalUrl: link ?? `${canonicalizeUrl(url)}#${encodeURIComponent(item.title)}`,
        title: item.title,
        byline: item.author ?? null,
        siteName: item.feedTitle ?? null,
        lang: item.lang ?? null,
        publishedTime: item.pubDate ? new Date(item.pubDate).toISOString() : null,
        excerpt: stripTags(item.description).slice(0, 300) || null,
        text: stripTags(item.description),
        html: sanitizeForRender(item.description),
        extractor: "feed",
      };
    }
    case "media":
      return {
        ...base,
        title: decodeURIComponent(new URL(url).pathname.split("/").pop() || url),
        text: "",
        html: "",
        extractor: "media",
      };
    case "text": {
      const text = normalizeText(fetched.body);
      if (text.length < MIN_ARTICLE_CHARS)
        throw new AppError("not_an_article", "The document is too short to summarize");
      return { ...base, title: text.split("\n")[0]?.slice(0, 200) ?? url, text, html: "", extractor: "text" };
    }
    case "pdf": {
      const pdf = await readPdf(new Uint8Array(Buffer.from(fetched.body, "base64")));
      if (pdf.text.length < MIN_ARTICLE_CHARS)
        throw new AppError("not_an_article", "The PDF has no text layer to read (scanned?)");
      const title = pdf.title ?? decodeURIComponent(new URL(url).pathname.split("/").pop() || url);
      return { ...base, title, byline: pdf.author, text: pdf.text, html: "", extractor: "pdf (unpdf)" };
    }
  }
}
