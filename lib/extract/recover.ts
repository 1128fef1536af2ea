/**
 * The recovery pass: prose Readability left out. Readability keeps one container (and the siblings it scores
 * well); an article split over several containers, a standfirst in the article's header, a paragraph its
 * cleaning judged too short lose text the reader came for. Before Readability runs, `snapshotBlocks` notes the
 * page's text blocks in reading order with their ancestors; after, `recoverProse` puts back the prose blocks that
 * stand between the title and the body (the standfirst) or fill a gap between kept blocks, and that no furniture
 * holds. Linear in the page: one walk to snapshot, one pass over the blocks to recover, at most MAX_RECOVERED moved.
 */

import { collapsedLength, isFurniture, textOf } from "./boilerplate.ts";
import { BLOCK_ELEMENTS } from "./dom.ts";

/** At most this many blocks recovered per page: each is checked against the article's whole text. */
const MAX_RECOVERED = 200;
/** Blocks that can stand alone once moved (a lone <td> or <li> cannot: an item moves with its list). */
const MOVABLE = new Set(["p", "div", "section", "blockquote", "pre", "h2", "h3", "h4", "h5", "h6", "ul", "ol"]);
const MOVABLE_SELECTOR = [...MOVABLE].join(", ");
/** Landmarks that are never the article, whatever their text. */
const LANDMARK_TAGS = new Set(["nav", "footer", "aside", "form", "menu", "button", "select", "textarea"]);
const LANDMARK_ROLES = new Set(["navigation", "contentinfo", "complementary", "banner", "search", "menu", "dialog"]);

/** The ancestors of a block as they were before Readability moved anything: one link per element, shared. */
interface Chain {
  el: Element;
  up: Chain | null;
}

export interface Block {
  /** The block; where Readability rewrote it (a <div> of text as a <p>), the rewrite. */
  el: Element;
  /** A text node of the block: where it ends up tells whether Readability kept the block. */
  marker: Text;
  /** The parent's link of the ancestor chain, up to <body>. */
  up: Chain | null;
  text: number;
  link: number;
}

function* ancestors(b: Block): Generator<Element> {
  for (let c = b.up; c; c = c.up) yield c.el;
}

/**
 * The page's leaf blocks in reading order, with their text and link-text lengths, in one walk. Call before
 * Readability: it moves and removes what it reads. Recursion depth is the DOM depth, which jsdom's parser caps.
 */
export function snapshotBlocks(body: Element): Block[] {
  const blocks: Block[] = [];
  interface Measured {
    holdsBlock: boolean;
    text: number;
    link: number;
    marker: Text | null;
  }
  const visit = (el: Element, up: Chain | null, inLink: boolean): Measured => {
    const chain: Chain = { el, up };
    const linked = inLink || el.localName === "a";
    let holdsBlock = false;
    let text = 0;
    let link = 0;
    let marker: Text | null = null;
    for (let node = el.firstChild; node; node = node.nextSibling) {
      if (node.nodeType === 3) {
        const n = collapsedLength((node as Text).data);
        if (n === 0) continue;
        marker ??= node as Text;
        text += n;
        if (linked) link += n;
      } else if (node.nodeType === 1) {
        const child = visit(node as Element, chain, linked);
        if (child.holdsBlock || BLOCK_ELEMENTS.has((node as Element).localName)) holdsBlock = true;
        text += child.text;
        link += child.link;
        marker ??= child.marker;
      }
    }
    if (!holdsBlock && marker && BLOCK_ELEMENTS.has(el.localName)) blocks.push({ el, marker, up, text, link });
    return { holdsBlock, text, link, marker };
  };
  visit(body, null, false);
  return blocks;
}

const isLandmark = (el: Element) =>
  LANDMARK_TAGS.has(el.localName) || LANDMARK_ROLES.has(el.getAttribute("role") ?? "");

/**
 * A picture's caption or credit: Readability leaves them out with the picture, and outside it they read as
 * stray lines.
 */
const CAPTION_CLASS = /caption|credit|legend|bildunterschrift|bildtext|copyright|imagedescription|image-desc|img-desc/i;
const isCaption = (el: Element) =>
  el.localName === "figure" || el.localName === "figcaption" || CAPTION_CLASS.test(el.getAttribute("class") ?? "");

/** A line right under a picture (nothing but the picture before it in its box): the picture's caption. */
function underPicture(el: Element): boolean {
  const previous = el.previousElementSibling;
  if (!previous || collapsedLength(previous.textContent ?? "") > 0) return false;
  return /^(img|picture|figure|svg|video)$/.test(previous.localName) || previous.querySelector("img, picture") !== null;
}

/** Prose: enough text, few links. */
const isProse = (b: Block) => b.text >= 60 && b.link <= 0.2 * b.text;

/**
 * Moves back into `content` the prose blocks Readability left out, in reading order: the standfirst between the
 * title and the body, and the gaps of prose between kept blocks. Returns the number of blocks recovered.
 */
export function recoverProse(content: Element, blocks: Block[]): number {
  const block = (i: number) => blocks[i] as Block;
  let kept = blocks.map((b) => content.contains(b.marker));
  // On a short page Readability reads a fresh copy of it (its retry with fewer rules): blocks match by text, and
  // with no kept element to stand next to, only the standfirst is recovered (it goes on top).
  const retried = !kept.includes(true);
  if (retried) {
    const texts = new Set(snapshotBlocks(content).map((b) => textOf(b.el)));
    kept = blocks.map((b) => b.text >= 20 && texts.has(textOf(b.el)));
  }
  const first = kept.indexOf(true);
  const last = kept.lastIndexOf(true);
  if (first === -1) return 0;
  // The title: the nearest <h1> before the body. Between the two sits the standfirst; before it, the page's header.
  let title = -1;
  for (let i = first - 1; i >= 0 && title === -1; i--) if (block(i).el.closest("h1")) title = i;
  // The article's own ancestors (shared by its kept blocks and its title) say nothing about a block: a WordPress
  // article's wrapper is classed `tag-…`, `has-post-thumbnail`.
  const shared = new Set<Element>();
  for (let i = Math.max(title, first); i <= last; i++) {
    if (kept[i] || i === title) for (const a of ancestors(block(i))) shared.add(a);
  }
  const judge = (i: number): "prose" | "other" | "furniture" => {
    const b = block(i);
    if (kept[i]) return "other";
    // A list item moves with its list (a standfirst written as bullet points).
    const list = b.el.localName === "li" ? b.el.parentElement : null;
    if (list && (list.localName === "ul" || list.localName === "ol") && b.el.contains(b.marker)) b.el = list;
    if (!MOVABLE.has(b.el.localName)) return "other";
    // Readability rewrites a <div> of text as a <p>: the block now lives in the element holding its text.
    if (!b.el.contains(b.marker)) {
      const now = b.marker.parentElement?.closest(MOVABLE_SELECTOR);
      // The rewrite holds the block's text and nothing more (give or take the spaces between its nodes).
      if (now?.localName !== "p" || Math.abs(collapsedLength(now.textContent ?? "") - b.text) > 2 + b.text / 50)
        return "other";
      b.el = now;
    }
    for (const a of [b.el, ...ancestors(b)]) {
      if (shared.has(a)) break;
      if (isLandmark(a) || isFurniture(a)) return "furniture";
      if (isCaption(a)) return "other";
    }
    return isProse(b) && !underPicture(b.el) ? "prose" : "other";
  };
  const inTeaser = teaserTest(block, shared);
  const chosen = new Set<number>();

  // 1. Between kept blocks, a gap that is mostly prose: the article split by an advertisement or a picture. A gap
  //    of teasers, forms or link lists holds prose too, but not mostly.
  for (let start = first + 1; start < last && !retried; start++) {
    if (kept[start]) continue;
    let end = start;
    while (end + 1 < last && !kept[end + 1]) end++;
    const prose: number[] = [];
    let all = 0;
    let found = 0;
    for (let i = start; i <= end; i++) {
      all += block(i).text;
      if (judge(i) === "prose" && !inTeaser(i)) {
        prose.push(i);
        found += block(i).text;
      }
    }
    if (found >= 0.6 * all) for (const i of prose) chosen.add(i);
    start = end;
  }

  // 2. The standfirst: back from the body to the title, past the head's other blocks (a date, a byline, a share
  //    bar, the lead picture's caption); or, when the body starts further on, right after the title.
  if (title !== -1) {
    const run: number[] = [];
    let skipped = 0;
    let i = first - 1;
    for (; i > title; i--) {
      const text = block(i).text;
      if (judge(i) === "prose") run.push(i);
      // A share button or a label (a few characters) does not count; a byline, a date, a caption, an info box
      // do. A long block of another kind ends the article's head.
      else if (text > 800 || (text > 20 && ++skipped > 12)) break;
    }
    if (i === title) for (const j of run) chosen.add(j);
    else {
      skipped = 0;
      let started = false;
      for (let j = title + 1; j < first; j++) {
        const verdict = judge(j);
        if (verdict === "prose") {
          chosen.add(j);
          started = true;
        } else if (started || verdict === "furniture" || block(j).text > 200 || ++skipped > 2) break;
      }
    }
  }

  // Never twice: a block whose text the article already holds (Readability kept a rewritten copy) stays out.
  const have = textOf(content);
  const moved = new Set<Element>();
  const recovered = [...chosen]
    .sort((a, b) => a - b)
    .slice(0, MAX_RECOVERED)
    .filter((i) => !have.includes(textOf(block(i).el)) && !moved.has(block(i).el) && moved.add(block(i).el));
  for (const i of recovered) place(content, blocks, kept, i);
  return recovered.length;
}

/** A block's own box (its highest ancestor outside the article's) that links elsewhere: a teaser card. */
function teaserTest(block: (i: number) => Block, shared: ReadonlySet<Element>): (i: number) => boolean {
  const density = new Map<Element, number>();
  return (i) => {
    const b = block(i);
    let box = b.el;
    for (const a of ancestors(b)) {
      if (shared.has(a)) break;
      box = a;
    }
    let d = density.get(box);
    if (d === undefined) {
      const text = collapsedLength(box.textContent ?? "");
      let link = 0;
      for (const a of box.querySelectorAll("a")) link += collapsedLength(a.textContent ?? "");
      d = text > 0 ? link / text : 0;
      density.set(box, d);
    }
    return d > 0.25;
  };
}

const ANCHOR_SELECTOR = "p, div, section, li, h2, h3, h4, h5, h6, blockquote, pre, td, th, dd, dt, figure";

/** The element to insert next to for a kept block: its line, lifted out of any list or table. */
function anchorOf(content: Element, b: Block): Element | null {
  const line = b.marker.parentElement?.closest(ANCHOR_SELECTOR);
  if (!line || line === content || !content.contains(line)) return null;
  let at = line;
  while (
    at.parentElement &&
    at.parentElement !== content &&
    /^(ul|ol|dl|table|tbody|thead|tr|li)$/.test(at.parentElement.localName)
  )
    at = at.parentElement;
  return at;
}

/** Puts block i before the next kept block, or after the previous one, or on top of the article. */
function place(content: Element, blocks: Block[], kept: boolean[], i: number) {
  const el = (blocks[i] as Block).el;
  kept[i] = true;
  const next = kept.indexOf(true, i + 1);
  const after = next === -1 ? null : anchorOf(content, blocks[next] as Block);
  if (after) return after.before(el);
  const previous = i > 0 ? kept.lastIndexOf(true, i - 1) : -1;
  const before = previous === -1 ? null : anchorOf(content, blocks[previous] as Block);
  if (before) return before.after(el);
  const page = content.firstElementChild ?? content;
  page.prepend(el);
}
