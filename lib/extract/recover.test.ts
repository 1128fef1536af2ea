import { JSDOM } from "jsdom";
import { describe, expect, it } from "vitest";
import { readArticleHtml } from "./html-reader";
import { recoverProse, snapshotBlocks } from "./recover";

/**
 * Hand-written pages. The end-to-end cases run the real reader (Readability, then this pass, then the boilerplate
 * pass); the unit cases play Readability's part by moving the blocks it would keep into a result element, so each
 * rule is checked on exactly the shape it is about.
 */
const URL_ = "https://news.example/2026/11/harbour";
const sentence = (topic: string, i: number) =>
  `<p>Paragraph ${i} on ${topic}: the harbour board met on Tuesday and agreed that the old grain store will house the town archive, after a decade of arguments about its roof and its rent.</p>`;
const body = (n: number, topic = "the harbour") =>
  Array.from({ length: n }, (_, i) => sentence(topic, i + 1)).join("\n");
const read = (html: string) => readArticleHtml(html, URL_, []).text;

const STANDFIRST = "A decade after the grain trade left, the town finally agrees on what its biggest building is for.";

describe("the recovery pass, on whole pages", () => {
  // Readability drops a header it takes for the page's (class `…header`), and the standfirst with it.
  it("puts back the standfirst between the title and the body, before the body", () => {
    const html = `<!doctype html><html><head><title>Harbour archive</title></head><body>
      <header class="site"><p class="tagline">The independent voice of the coast since 1921, read in every harbour town.</p></header>
      <div class="story-header"><h1>The harbour gets its archive</h1>
        <p class="dek">${STANDFIRST}</p>
        <div class="byline">By Ann Reporter · 3 min</div>
        <div class="share"><a href="/s/fb">Share</a> <a href="/s/x">Post</a></div>
      </div>
      <div class="article-body">${body(6)}</div>
    </body></html>`;
    const text = read(html);
    expect(text).toContain(STANDFIRST);
    expect(text.indexOf(STANDFIRST)).toBeLessThan(text.indexOf("Paragraph 1 on"));
    // What precedes the title is the site's, not the article's.
    expect(text).not.toContain("independent voice of the coast");
  });

  it("leaves out a caption, a newsletter pitch and a credit between the title and the body", () => {
    const html = `<!doctype html><html><head><title>Harbour archive</title></head><body>
      <div class="head"><h1>The harbour gets its archive</h1>
        <div class="lead-image"><img src="/a.jpg" alt=""><p class="image-caption">The grain store on the quay, photographed from the north pier in the late evening light.</p></div>
        <div class="newsletter-box"><p>Get the harbour news in your inbox every morning, free, with the tide tables and the weather.</p></div>
      </div>
      <div class="article-body">${body(6)}</div>
    </body></html>`;
    const text = read(html);
    expect(text).toContain("Paragraph 1 on");
    expect(text).not.toContain("photographed from the north pier");
    expect(text).not.toContain("in your inbox every morning");
  });

  it("reads a page without a standfirst exactly as before", () => {
    const html = `<!doctype html><html><head><title>Harbour archive</title></head><body>
      <h1>The harbour gets its archive</h1><div class="article-body">${body(6)}</div>
      <footer><p>Harbour Gazette, 1 Quay Street. Letters to the editor are welcome at any time of the year.</p></footer>
    </body></html>`;
    const text = read(html);
    expect(text.startsWith("Paragraph 1 on")).toBe(true);
    expect(text).not.toContain("Letters to the editor");
  });
});

/** A page, its blocks snapshotted, and a stand-in for Readability's result holding the elements it "kept". */
function setup(html: string, keep: string) {
  const { document } = new JSDOM(`<!doctype html><body>${html}</body>`).window;
  const blocks = snapshotBlocks(document.body);
  const content = document.createElement("div");
  const page = document.createElement("div");
  page.className = "page";
  content.append(page);
  for (const el of document.querySelectorAll(keep)) page.append(el);
  const text = () => (content.textContent ?? "").replace(/\s+/g, " ");
  return { document, blocks, content, text };
}

const PROSE = (label: string) =>
  `${label}: the council will pay for a new roof, and the archive moves in next spring with forty years of records.`;

describe("the recovery pass, rule by rule", () => {
  it("recovers a gap of prose between kept blocks, in reading order", () => {
    const { blocks, content, text } = setup(
      `<div class="part one">${body(3)}</div>
       <div class="ad-slot"><span>Advertisement</span></div>
       <div class="part two"><p>${PROSE("Middle")}</p></div>
       <div class="part three">${body(3, "the quay")}</div>`,
      ".one, .three",
    );
    expect(recoverProse(content, blocks)).toBe(1);
    const t = text();
    expect(t.indexOf("Middle:")).toBeGreaterThan(t.indexOf("Paragraph 3 on the harbour"));
    expect(t.indexOf("Middle:")).toBeLessThan(t.indexOf("Paragraph 1 on the quay"));
  });

  it("leaves a gap of teaser cards alone, though each card has a summary", () => {
    const card = (n: number) =>
      `<div class="card"><h3><a href="/story-${n}">Story ${n} about the ferry timetable and the new pier lights</a></h3><p>${PROSE(`Teaser ${n}`)}</p></div>`;
    const { blocks, content, text } = setup(
      `<div class="part one">${body(3)}</div>${card(1)}${card(2)}<div class="part three">${body(3, "the quay")}</div>`,
      ".one, .three",
    );
    expect(recoverProse(content, blocks)).toBe(0);
    expect(text()).not.toContain("Teaser");
  });

  it("leaves furniture out: a block inside an aside, a comment section or a form", () => {
    const { blocks, content, text } = setup(
      `<h1>The harbour gets its archive</h1>
       <aside><p>${PROSE("Aside")}</p></aside>
       <div class="comments"><p>${PROSE("Comment")}</p></div>
       <div class="part one">${body(3)}</div>`,
      ".one",
    );
    recoverProse(content, blocks);
    expect(text()).not.toContain("Aside:");
    expect(text()).not.toContain("Comment:");
  });

  it("finds a block Readability rewrote (a <div> of text turned into a <p>)", () => {
    const { document, blocks, content, text } = setup(
      `<h1>The harbour gets its archive</h1><div class="dek">${PROSE("Standfirst")}</div><div class="part one">${body(3)}</div>`,
      ".one",
    );
    // What Readability's _setNodeTag does: a new element, the old one's children moved into it.
    const old = document.querySelector(".dek") as Element;
    const rewritten = document.createElement("p");
    while (old.firstChild) rewritten.append(old.firstChild);
    old.replaceWith(rewritten);
    expect(recoverProse(content, blocks)).toBe(1);
    expect(text().indexOf("Standfirst:")).toBeLessThan(text().indexOf("Paragraph 1"));
  });

  it("matches by text when Readability read a fresh copy of the page, and never adds a paragraph twice", () => {
    const { document, blocks, content, text } = setup(
      `<h1>The harbour gets its archive</h1><p class="dek">${PROSE("Standfirst")}</p><div class="part one">${body(3)}</div>`,
      "none",
    );
    // Readability's retry: the result is built from a re-parsed copy, so no snapshotted node is in it.
    const copy = document.createElement("div");
    copy.innerHTML = body(3);
    (content.firstElementChild as Element).append(copy);
    expect(recoverProse(content, blocks)).toBe(1);
    expect(text().match(/Paragraph 1 on/g)).toHaveLength(1);
    expect(text().indexOf("Standfirst:")).toBeLessThan(text().indexOf("Paragraph 1"));
  });

  it("leaves out a caption set apart by its class, with no picture beside it", () => {
    const { blocks, content, text } = setup(
      `<h1>The harbour gets its archive</h1><div class="wp-caption-text"><p>${PROSE("Caption")}</p></div><div class="part one">${body(3)}</div>`,
      ".one",
    );
    expect(recoverProse(content, blocks)).toBe(0);
    expect(text()).not.toContain("Caption:");
  });

  it("does not add a standfirst the body already repeats", () => {
    const { blocks, content, text } = setup(
      `<h1>The harbour gets its archive</h1><p class="dek">${PROSE("Standfirst")}</p>
       <div class="part one"><p>${PROSE("Standfirst")}</p>${body(3)}</div>`,
      ".one",
    );
    expect(recoverProse(content, blocks)).toBe(0);
    expect(text().match(/Standfirst:/g)).toHaveLength(1);
  });

  it("does nothing when Readability kept nothing of the page", () => {
    const { blocks, content } = setup(`<h1>Title</h1><p>${PROSE("Lonely")}</p>`, "none");
    expect(recoverProse(content, blocks)).toBe(0);
  });
});
