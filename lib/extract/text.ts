/** Text helpers shared by the DOM worker and the server; no DOM here, so importing them stays cheap. */

import { decodeHTML } from "entities";

export const READABILITY_VERSION = "readability@0.6.0";
/** Below this many characters a page is not an article (unless it carries media to transcribe). */
export const MIN_ARTICLE_CHARS = 400;

export const normalizeText = (text: string) =>
  text
    .replace(/[ \t\u00a0]+/g, " ")
    .replace(/\s*\n\s*/g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();

/**
 * HTML character references in text outside a DOM (titles, timed text), decoded once as a browser's parser
 * would: every named entity (`&eacute;`, `&rsquo;`, legacy ones without a semicolon), numeric ones, and
 * impossible code points as U+FFFD. `&#38;lt;` is `&lt;` as text, never `<`.
 */
export const decodeEntities = (text: string) => decodeHTML(text);
