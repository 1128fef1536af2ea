/** Text helpers shared by the DOM worker and the server; no DOM here, so importing them stays cheap. */

import { decodeHTML } from "entities";

export const READABILITY_VERSION = "readability@0.6.0";
/** Below this many characters a page is not an article (unless it carries media to transcribe). */
export const MIN_ARTICLE_CHARS = 400;

/*
 * Everything here sees fetched text, so every helper is linear in its input: no pattern that can re-scan a run it
 * already failed on (`\s*\n\s*` over a run of em-spaces, `<[^>]+>` over a run of `<`), only single-pass patterns
 * and indexOf scans that never go backwards.
 */

/**
 * Spaces, tabs and no-break spaces collapse to one space; a whitespace run holding a line break becomes that one
 * line break; the ends are trimmed. One pass: `\s+` takes each run once.
 */
export const normalizeText = (text: string) =>
  text.replace(/\s+/g, (run) => (run.includes("\n") ? "\n" : run.replace(/[ \t\u00a0]+/g, " "))).trim();

/**
 * Every `<…>` (at least one character inside, no `>`) replaced, as `replace(/<[^>]+>/g, replacement)` would, in
 * linear time: when no `>` follows a `<`, none follows any later `<` either, so the scan stops there.
 */
export function replaceTags(text: string, replacement: string | ((tag: string) => string)): string {
  let out = "";
  let last = 0;
  let open = text.indexOf("<");
  while (open !== -1 && open + 1 < text.length) {
    if (text.charCodeAt(open + 1) === 62 /* > */) {
      open = text.indexOf("<", open + 1);
      continue;
    }
    const close = text.indexOf(">", open + 1);
    if (close === -1) break;
    const tag = text.slice(open, close + 1);
    out += text.slice(last, open) + (typeof replacement === "string" ? replacement : replacement(tag));
    last = close + 1;
    open = text.indexOf("<", last);
  }
  return last === 0 ? text : out + text.slice(last);
}

/** Does the text hold an element-like tag (`/<\w+[^>]*>/`)? The first `<` + word character decides: a `>` after it. */
export function hasTag(text: string): boolean {
  const open = text.search(/<\w/);
  return open !== -1 && text.indexOf(">", open + 2) !== -1;
}

/**
 * HTML character references in text outside a DOM (titles, timed text), decoded once as a browser's parser
 * would: every named entity (`&eacute;`, `&rsquo;`, legacy ones without a semicolon), numeric ones, and
 * impossible code points as U+FFFD. `&#38;lt;` is `&lt;` as text, never `<`.
 */
export const decodeEntities = (text: string) => decodeHTML(text);

export interface ElementMatch {
  /** The whole element, open tag to close tag. */
  element: string;
  /** What stands between the name and the `>` of the open tag. */
  attrs: string;
  inner: string;
  index: number;
}

/**
 * Every `<name …>…</name>` replaced in one forward scan, as
 * `replace(/<name\b([^>]*)>([\s\S]*?)<\/name\s*>/g, …)` would but in linear time: a lazy `[\s\S]*?` re-scans to
 * the end for every unclosed element, whereas here, once no close tag is left, no later element can close either.
 * `name` is lower case; the match ignores ASCII case unless told otherwise.
 */
export function replaceElements(
  html: string,
  name: string,
  replacement: (match: ElementMatch) => string,
  options: { ignoreCase?: boolean } = {},
): string {
  // Fixed-length patterns found with lastIndex: each search resumes where the last one stopped, never backtracks.
  const flags = options.ignoreCase === false ? "g" : "gi";
  const openMark = new RegExp(`<${name}\\b`, flags);
  const closeMark = new RegExp(`</${name}\\s*>`, flags);
  let out = "";
  let last = 0;
  for (let open = openMark.exec(html); open !== null; open = openMark.exec(html)) {
    const nameEnd = open.index + open[0].length;
    const gt = html.indexOf(">", nameEnd);
    if (gt === -1) break;
    closeMark.lastIndex = gt + 1;
    const close = closeMark.exec(html);
    if (close === null) break;
    const end = close.index + close[0].length;
    out +=
      html.slice(last, open.index) +
      replacement({
        element: html.slice(open.index, end),
        attrs: html.slice(nameEnd, gt),
        inner: html.slice(gt + 1, close.index),
        index: open.index,
      });
    last = end;
    openMark.lastIndex = end;
  }
  return last === 0 ? html : out + html.slice(last);
}

/** Every `<!--…-->` removed (`/<!--[\s\S]*?-->/g`), stopping at the first comment that never closes. */
export function removeComments(html: string): string {
  let out = "";
  let last = 0;
  let open = html.indexOf("<!--");
  while (open !== -1) {
    const close = html.indexOf("-->", open + 4);
    if (close === -1) break;
    out += html.slice(last, open);
    last = close + 3;
    open = html.indexOf("<!--", last);
  }
  return last === 0 ? html : out + html.slice(last);
}

export const VOID_ELEMENTS: ReadonlySet<string> = new Set([
  "area",
  "base",
  "br",
  "col",
  "embed",
  "hr",
  "img",
  "input",
  "link",
  "meta",
  "source",
  "track",
  "wbr",
]);

/**
 * Tags nested deeper than `maxDepth` dropped (their text stays), in one linear pass before any parser sees the
 * markup: an HTML parser's and a sanitizer's cost grows with nesting, and a hostile fragment can nest 50,000 deep.
 * It counts as written (no implied closes), which only ever flattens more, never less.
 */
export function flattenDeepTags(html: string, maxDepth: number): string {
  let depth = 0;
  return replaceTags(html, (tag) => {
    const closing = tag.charCodeAt(1) === 47; /* / */
    const name = /^<\/?([a-zA-Z][\w-]*)/.exec(tag)?.[1]?.toLowerCase();
    if (!name) return tag;
    if (closing) {
      const keep = depth <= maxDepth;
      depth = Math.max(0, depth - 1);
      return keep ? tag : "";
    }
    if (VOID_ELEMENTS.has(name) || tag.endsWith("/>")) return depth < maxDepth ? tag : "";
    depth++;
    return depth <= maxDepth ? tag : "";
  });
}
