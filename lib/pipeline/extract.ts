import type { Detected, Extracted, Fetched } from "../domain";
import { AppError } from "../errors";
import { MIN_ARTICLE_CHARS, normalizeText, replaceTags } from "../extract/text";
import { canonicalizeUrl, fileNameFromUrl, resolveCanonicalLink } from "../net/canonical-url";
import type { PipelineDeps } from "./types";

const BREAK_TAG = /^<(br|\/p|\/div|\/li|\/h\d)\s*\/?>$/i;

/** Block ends become line breaks, other tags spaces (one linear scan; see text.ts). */
export function stripTags(html: string): string {
  return normalizeText(replaceTags(html, (tag) => (BREAK_TAG.test(tag) ? "\n" : " ")).replaceAll("&nbsp;", " "));
}

/** Feed dates are RFC 822 or ISO 8601, and sometimes neither: an unreadable date is no date. */
function isoDate(value: string | undefined): string | null {
  const time = value ? Date.parse(value) : Number.NaN;
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}

/**
 * Stage 3: the readable text and its metadata. HTML pages go through Readability; feed items and direct
 * media produce what their metadata offers (the transcript follows). Walls and empty pages fail here,
 * before any LLM cost.
 */
export async function extractStage(
  fetched: Fetched,
  detected: Detected,
  deps: Pick<PipelineDeps, "reader">,
): Promise<Extracted> {
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
    leadImage: null,
  };
  // A feed, or a page that stands for a feed episode (Apple Podcasts): the episode's own metadata wins.
  const kind = detected.feedItem ? "feed" : fetched.kind;
  switch (kind) {
    case "html":
      return deps.reader.read({ op: "article", html: fetched.body, url, media: detected.media });
    case "feed": {
      const item = detected.feedItem;
      if (!item) throw new AppError("no_media", "The feed has no episodes");
      // The one canonical trust rule (resolveCanonicalLink): a feed item's <link> is the article's identity only on
      // the URL that was fetched, so a feed cannot claim (and overwrite) another page's article; a malformed link
      // is no link. An Apple episode comes keyed by Apple's own URL for it (lib/extract/apple-podcasts.ts).
      const link = item.canonicalUrl ?? resolveCanonicalLink(item.link, url);
      return {
        ...base,
        canonicalUrl: link ?? `${canonicalizeUrl(url)}#${encodeURIComponent(item.title)}`,
        title: item.title,
        byline: item.author ?? null,
        siteName: item.feedTitle ?? null,
        lang: item.lang ?? null,
        publishedTime: isoDate(item.pubDate),
        excerpt: stripTags(item.description).slice(0, 300) || null,
        text: stripTags(item.description),
        // Sanitized once, in the extraction worker: the server's event loop never parses fetched HTML.
        html: await deps.reader.read({ op: "sanitize", html: item.description }),
        extractor: "feed",
      };
    }
    case "media":
      return {
        ...base,
        title: fileNameFromUrl(url, url),
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
      const { readPdf } = await import("../extract/pdf");
      const pdf = await readPdf(new Uint8Array(Buffer.from(fetched.body, "base64")));
      if (pdf.text.length < MIN_ARTICLE_CHARS)
        throw new AppError("not_an_article", "The PDF has no text layer to read (scanned?)");
      const title = pdf.title ?? fileNameFromUrl(url, url);
      return { ...base, title, byline: pdf.author, text: pdf.text, html: "", extractor: "pdf (unpdf)" };
    }
  }
}
