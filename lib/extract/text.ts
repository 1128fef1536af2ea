/** Text helpers shared by the DOM worker and the server; no DOM here, so importing them stays cheap. */

export const READABILITY_VERSION = "readability@0.6.0";
/** Below this many characters a page is not an article (unless it carries media to transcribe). */
export const MIN_ARTICLE_CHARS = 400;

export const normalizeText = (text: string) =>
  text
    .replace(/[ \t\u00a0]+/g, " ")
    .replace(/\s*\n\s*/g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();

const codePoint = (n: number) => (n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : null);

/** The HTML entities text outside a DOM carries: numeric ones and the five XML ones. */
export const decodeEntities = (text: string) =>
  text
    .replace(/&#(\d+);/g, (entity, code: string) => codePoint(Number(code)) ?? entity)
    .replace(/&#x([0-9a-f]+);/gi, (entity, code: string) => codePoint(Number.parseInt(code, 16)) ?? entity)
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
