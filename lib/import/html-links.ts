import { decodeHTML } from "entities";
import { AppError } from "../errors";

export interface HtmlLink {
  href: string;
  /** The anchor's text, whitespace collapsed. */
  text: string;
  /** The anchor's attributes by lower-case name (Pocket: time_added, tags; bookmark files: add_date, tags). */
  attrs: Record<string, string>;
  /** The text of the last <h1>–<h3> before it (Pocket: "Unread" or "Read Archive"). */
  section: string;
}

/** An anchor's or heading's text past this is not a title. */
const MAX_TEXT_CHARS = 2_000;
/** Tags read between two yields to the event loop. */
const TAGS_PER_SLICE = 500;
/** A Pocket export of 5,000 links has about 20,000 tags; ten times that is not an export. */
export const MAX_HTML_TAGS = 200_000;
/** Pocket's longest tags are an anchor with its URL and tag list: a few KB. */
export const MAX_TAG_CHARS = 64 * 1024;

const TAG_NAME = /\/?([a-zA-Z][a-zA-Z0-9-]*)/y;
const ATTRIBUTE = /([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
/** Elements whose content is text, not markup, until their end tag. */
const RAW_TEXT = new Set(["script", "style", "title", "textarea", "xmp", "iframe", "noembed", "noframes"]);
const HEADINGS = new Set(["h1", "h2", "h3"]);

const collapse = (text: string) => decodeHTML(text.replace(/\s+/g, " ").trim()).slice(0, MAX_TEXT_CHARS);

function attributesOf(tag: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const m of tag.matchAll(ATTRIBUTE)) {
    const name = (m[1] ?? "").toLowerCase();
    if (!(name in attrs)) attrs[name] = decodeHTML(m[2] ?? m[3] ?? m[4] ?? "");
  }
  return attrs;
}

/**
 * The links of an HTML export (Pocket's, or a browser's bookmark file) over text already capped in size. No DOM
 * and no backtracking pattern: one forward scan with indexOf and sticky matches, each character looked at a bounded
 * number of times, so any input costs time linear in its length; it yields to the event loop every few thousand
 * tags. (parse5's tokenizer, jsdom's, was measured first: 1.8 s for a 4 MB attribute fed in 64 KiB chunks, as it
 * re-buffers its input on every write.)
 */
export async function readHtmlLinks(
  text: string,
  onLink: (link: HtmlLink) => void,
  yieldNow: () => Promise<void>,
): Promise<void> {
  let anchor: { href: string; attrs: Record<string, string>; text: string } | null = null;
  let heading: string | null = null;
  let section = "";
  const addText = (chars: string) => {
    if (anchor && anchor.text.length < MAX_TEXT_CHARS) anchor.text += chars.slice(0, MAX_TEXT_CHARS);
    if (heading !== null && heading.length < MAX_TEXT_CHARS) heading += chars.slice(0, MAX_TEXT_CHARS);
  };
  const finishAnchor = () => {
    if (anchor) onLink({ href: anchor.href.trim(), text: collapse(anchor.text), attrs: anchor.attrs, section });
    anchor = null;
  };

  let i = 0;
  let tags = 0;
  while (i < text.length) {
    if (++tags % TAGS_PER_SLICE === 0) await yieldNow();
    if (tags > MAX_HTML_TAGS) {
      throw new AppError("invalid_body", `Not an export: more than ${MAX_HTML_TAGS} tags of HTML`);
    }
    const lt = text.indexOf("<", i);
    if (lt < 0) {
      addText(text.slice(i));
      break;
    }
    addText(text.slice(i, lt));
    if (text.startsWith("<!--", lt)) {
      const end = text.indexOf("-->", lt + 4);
      i = end < 0 ? text.length : end + 3;
      continue;
    }
    TAG_NAME.lastIndex = lt + 1;
    const name = TAG_NAME.exec(text);
    if (!name) {
      addText("<");
      i = lt + 1;
      continue;
    }
    // The tag ends at the first '>' outside quotes, within MAX_TAG_CHARS (an unclosed quote is malformed).
    let end = TAG_NAME.lastIndex;
    let quote = 0;
    const limit = Math.min(text.length, lt + MAX_TAG_CHARS);
    for (; end < limit; end++) {
      const c = text.charCodeAt(end);
      if (quote !== 0) {
        if (c === quote) quote = 0;
      } else if (c === 34 || c === 39) {
        quote = c;
      } else if (c === 62) {
        break;
      }
    }
    if (end >= limit && limit < text.length) {
      throw new AppError("invalid_body", `Malformed HTML: a tag over ${MAX_TAG_CHARS} characters (an unclosed quote?)`);
    }
    const tagName = (name[1] ?? "").toLowerCase();
    const closing = name[0].startsWith("/");
    i = end + 1;
    if (closing) {
      if (tagName === "a") finishAnchor();
      else if (HEADINGS.has(tagName) && heading !== null) {
        section = collapse(heading);
        heading = null;
      }
      continue;
    }
    if (tagName === "a") {
      finishAnchor();
      const attrs = attributesOf(text.slice(TAG_NAME.lastIndex, end));
      if (attrs.href !== undefined) anchor = { href: attrs.href, attrs, text: "" };
    } else if (HEADINGS.has(tagName)) {
      heading = "";
    } else if (RAW_TEXT.has(tagName)) {
      // Their content is never markup: skip to the end tag (one case-insensitive forward search).
      const close = new RegExp(`</${tagName}`, "gi");
      close.lastIndex = i;
      const found = close.exec(text);
      i = found ? found.index : text.length;
    }
  }
  finishAnchor();
}
