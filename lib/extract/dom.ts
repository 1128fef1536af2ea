import { JSDOM, VirtualConsole } from "jsdom";
import { removeComments, replaceElements, VOID_ELEMENTS } from "./text.ts";

/** A silent virtual console: page CSS and markup errors are not our logs. */
const quiet = new VirtualConsole();

/** What an `<iframe>` becomes before parsing: jsdom builds a whole nested window for every real one. */
export const IFRAME_PLACEHOLDER = "iframe-placeholder";

/**
 * The page without what Readability ignores — scripts (but JSON-LD), styles, SVG, templates, comments — and
 * with iframes as inert placeholders that keep their attributes. jsdom then has far less to build: this halves
 * parse time on the Readability corpus.
 */
export function leanHtml(html: string): string {
  let lean = replaceElements(html, "script", ({ element }) => (/application\/ld\+json/i.test(element) ? element : ""));
  for (const name of ["style", "svg", "template"]) lean = replaceElements(lean, name, () => "");
  lean = removeComments(lean);
  lean = replaceElements(lean, "iframe", ({ attrs }) => `<${IFRAME_PLACEHOLDER}${attrs}></${IFRAME_PLACEHOLDER}>`);
  return flattenDeepNesting(lean);
}

/** Deeper than any article's markup: Readability's cost grows with depth × size, and a hostile page nests thousands. */
export const MAX_NESTING = 96;

/** Elements a namesake sibling's start tag closes. */
const SIBLING_CLOSES = new Set(["p", "li", "dt", "dd", "tr", "td", "th", "option"]);
const RAW_TEXT = new Set(["script", "style", "textarea", "title", "xmp", "noscript", "plaintext"]);

/**
 * The page with every element nested deeper than `maxDepth` unwrapped (its tags dropped, its content kept), in
 * one linear pass over the tags: the text stays, the depth that makes Readability quadratic goes. Unlike
 * `flattenDeepTags` (fragments, counted as written), whole pages leave `<p>` and `<li>` open: implied end tags are
 * followed loosely (a block start closes an open `<p>`, a list item or cell its open sibling, an end tag closes up
 * to its nearest open namesake), so a page of unclosed paragraphs keeps its blocks. Raw-text elements are skipped.
 */
export function flattenDeepNesting(html: string, maxDepth = MAX_NESTING): string {
  // Attributes stop at the next "<": "<br <br <br …" without a ">" must not scan to the end once per tag.
  const tag = /<(\/?)([a-zA-Z][a-zA-Z0-9:-]*)(?:\s[^<>]*)?(\/?)>/g;
  const stack: { name: string; dropped: boolean }[] = [];
  // Open elements by name: an end tag with nothing to close costs nothing, and one that closes pays for what it pops.
  const open = new Map<string, number>();
  const lower = html.toLowerCase();
  const out: string[] = [];
  let copied = 0;
  let deep = false;
  for (let match = tag.exec(html); match; match = tag.exec(html)) {
    const closing = match[1] === "/";
    const name = (match[2] ?? "").toLowerCase();
    let drop = false;
    if (!closing) {
      if (VOID_ELEMENTS.has(name) || match[3] === "/") continue;
      if (RAW_TEXT.has(name)) {
        const end = lower.indexOf(`</${name}`, tag.lastIndex);
        tag.lastIndex = end < 0 ? html.length : end;
        continue;
      }
      const top = stack.at(-1);
      if (
        top &&
        !top.dropped &&
        (top.name === name ? SIBLING_CLOSES.has(name) : top.name === "p" && BLOCK_ELEMENTS.has(name))
      ) {
        stack.pop();
        open.set(top.name, (open.get(top.name) ?? 1) - 1);
      }
      drop = stack.length >= maxDepth;
      stack.push({ name, dropped: drop });
      open.set(name, (open.get(name) ?? 0) + 1);
      deep ||= drop;
    } else {
      if (!open.get(name)) continue;
      let top = stack.pop();
      while (top && top.name !== name) {
        open.set(top.name, (open.get(top.name) ?? 1) - 1);
        top = stack.pop();
      }
      open.set(name, (open.get(name) ?? 1) - 1);
      drop = top?.dropped === true;
    }
    if (drop) {
      out.push(html.slice(copied, match.index));
      copied = tag.lastIndex;
    }
  }
  if (!deep) return html;
  out.push(html.slice(copied));
  return out.join("");
}

/**
 * Parses a page as jsdom would render it for reading: no scripts run, no subresources load, the page URL as
 * base, the source made lean first (see `leanHtml`). Call `window.close()` when done.
 */
export function parseHtml(html: string, url: string): JSDOM {
  const lean = leanHtml(html);
  return new JSDOM(lean, {
    url,
    virtualConsole: quiet,
    runScripts: undefined,
    resources: undefined,
    pretendToBeVisual: false,
  });
}

/** Every JSON-LD object on the page, flattened (arrays and @graph). */
export function jsonLdObjects(document: Document): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const visit = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === "object") {
      const record = value as Record<string, unknown>;
      out.push(record);
      if (record["@graph"]) visit(record["@graph"]);
    }
  };
  for (const script of document.querySelectorAll('script[type="application/ld+json"]')) {
    try {
      visit(JSON.parse(script.textContent ?? ""));
    } catch {
      // Broken JSON-LD is common; it is simply not a signal.
    }
  }
  return out;
}

export function typesOf(record: Record<string, unknown>): string[] {
  const type = record["@type"];
  return (Array.isArray(type) ? type : [type]).filter((t): t is string => typeof t === "string");
}

export function meta(document: Document, ...names: string[]): string | null {
  for (const name of names) {
    const el = document.querySelector(`meta[property="${name}"], meta[name="${name}"]`);
    const content = el?.getAttribute("content")?.trim();
    if (content) return content;
  }
  return null;
}

/** Block-level elements: each is its own line for a reader, and the unit the extraction passes judge. */
export const BLOCK_ELEMENTS: ReadonlySet<string> = new Set([
  "address",
  "article",
  "aside",
  "blockquote",
  "dd",
  "details",
  "div",
  "dl",
  "dt",
  "figcaption",
  "figure",
  "footer",
  "form",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "header",
  "li",
  "main",
  "nav",
  "ol",
  "p",
  "pre",
  "section",
  "summary",
  "table",
  "tr",
  "td",
  "th",
  "ul",
]);

const isLineBreak = (el: Element) => BLOCK_ELEMENTS.has(el.localName) || el.localName === "br" || el.localName === "hr";

/**
 * An element's text with a line break between blocks, in one walk (iterative: a hostile page nests deeply).
 * Whitespace is left for `normalizeText` to collapse.
 */
export function blockText(root: Element): string {
  const parts: string[] = [];
  const walker = root.ownerDocument.createTreeWalker(root, 1 | 4 /* SHOW_ELEMENT | SHOW_TEXT */);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.nodeType === 3) {
      // Text after a block, inside the block's parent (`<div><p>a</p>tail</div>`), starts a line too.
      const previous = node.previousSibling;
      if (previous?.nodeType === 1 && isLineBreak(previous as Element)) parts.push("\n");
      parts.push((node as Text).data);
    } else if (isLineBreak(node as Element)) parts.push("\n");
  }
  return parts.join("");
}
