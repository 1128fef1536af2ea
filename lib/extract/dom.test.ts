import { JSDOM } from "jsdom";
import { describe, expect, it } from "vitest";
import { flattenDeepNesting, leanHtml, MAX_NESTING } from "./dom";

/** The deepest element's depth under <body>, as a browser would build the tree. */
function depthOf(html: string): number {
  const document = new JSDOM(html).window.document;
  let deepest = 0;
  const walker = document.createTreeWalker(document.body, 1);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    let depth = 0;
    for (let p: Node | null = node; p && p !== document.body; p = p.parentNode) depth++;
    deepest = Math.max(deepest, depth);
  }
  return deepest;
}

describe("deep nesting is flattened before a page is parsed for reading", () => {
  // Issue 24: 3,000 nested elements in 70 KB took Readability past its 30 s budget.
  const deep = `<html><body>${"<div><span>".repeat(1500)}The river town rebuilt its library.${"</span></div>".repeat(1500)}<p>After.</p></body></html>`;

  it("keeps a hostile page's text and caps its depth", () => {
    const lean = leanHtml(deep);
    expect(depthOf(lean)).toBeLessThanOrEqual(MAX_NESTING);
    expect(new JSDOM(lean).window.document.body.textContent).toBe("The river town rebuilt its library.After.");
  });

  it("leaves ordinary pages alone, unclosed paragraphs and list items included", () => {
    const page = `<html><body><article>${"<p>One paragraph".repeat(300)}<ul>${"<li>item".repeat(300)}</ul></article></body></html>`;
    expect(flattenDeepNesting(page)).toBe(page);
    const nested = `<div>${"<section>".repeat(40)}text${"</section>".repeat(40)}</div>`;
    expect(flattenDeepNesting(nested)).toBe(nested);
  });
});
