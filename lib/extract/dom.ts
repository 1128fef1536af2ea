import { JSDOM, VirtualConsole } from "jsdom";
import { removeComments, replaceElements } from "./text.ts";

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
  return replaceElements(lean, "iframe", ({ attrs }) => `<${IFRAME_PLACEHOLDER}${attrs}></${IFRAME_PLACEHOLDER}>`);
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
