import { type Piece, paintPieces, type QuoteToPaint, type TextChunk } from "@/lib/ui/highlight-paint";

/**
 * Paints highlights into HTML the server rendered as stored (sanitized before it was stored; never string-edited
 * here): the browser's own DOM is walked, and each run of a text node a highlight covers is wrapped in a `<mark>`.
 * Text is never changed, only wrapped, so unpainting (unwrapping and merging the text nodes back) restores it.
 */

/** Elements that start a new line: text on either side reads as separate words, as in the stored text. */
const BLOCKS = new Set([
  "ADDRESS",
  "ARTICLE",
  "ASIDE",
  "BLOCKQUOTE",
  "CAPTION",
  "DD",
  "DETAILS",
  "DIV",
  "DL",
  "DT",
  "FIGCAPTION",
  "FIGURE",
  "FOOTER",
  "H1",
  "H2",
  "H3",
  "H4",
  "H5",
  "H6",
  "HEADER",
  "LI",
  "MAIN",
  "NAV",
  "OL",
  "P",
  "PRE",
  "SECTION",
  "SUMMARY",
  "TABLE",
  "TBODY",
  "TD",
  "TFOOT",
  "TH",
  "THEAD",
  "TR",
  "UL",
]);
/** Where a `<mark>` may not stand (between list items, table rows): whitespace there stays unwrapped. */
const STRUCTURAL = new Set(["UL", "OL", "DL", "TABLE", "TBODY", "THEAD", "TFOOT", "TR", "COLGROUP", "SELECT"]);
/** Text that is not shown. */
const SKIPPED = new Set(["SCRIPT", "STYLE", "TEMPLATE", "NOSCRIPT"]);

export const MARK_SELECTOR = "mark[data-highlight-ids]";

export interface MarkOptions {
  /** The highlights whose note the mark's description gives (their ids, the element ids of their descriptions). */
  describedBy: (ids: readonly string[]) => string;
  /** Whether any of these highlights has a note (the mark says so by its style). */
  hasNote: (ids: readonly string[]) => boolean;
}

/** Sets a mark's attributes for the highlights over it; the one place both painters (DOM and React) agree on. */
export function markAttributes(
  piece: Pick<Piece, "ids" | "starts">,
  options: MarkOptions,
): Record<string, string | undefined> {
  const starts = piece.starts.length > 0;
  return {
    class: ["hl", piece.ids.length > 1 ? "hl-overlap" : "", options.hasNote(piece.ids) ? "hl-note" : ""]
      .filter(Boolean)
      .join(" "),
    "data-highlight-ids": piece.ids.join(" "),
    // Where an occurrence begins: a stop for the keyboard, described by the notes of the highlights over it.
    "data-highlight-start": starts ? piece.starts.join(" ") : undefined,
    tabindex: starts ? "0" : undefined,
    "aria-describedby": starts ? options.describedBy(piece.ids) : undefined,
  };
}

function nearestBlock(node: Node, root: Element): Element {
  let element = node.parentElement;
  while (element && element !== root && !BLOCKS.has(element.tagName)) element = element.parentElement;
  return element ?? root;
}

/** The text nodes under `root` in reading order, each noting whether a line break comes before it. */
function textNodes(root: Element): { nodes: Text[]; chunks: TextChunk[] } {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT, {
    acceptNode: (node) =>
      node instanceof Element && SKIPPED.has(node.tagName) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT,
  });
  const nodes: Text[] = [];
  const chunks: TextChunk[] = [];
  let pendingBreak = false;
  let lastBlock: Element | null = null;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!(node instanceof Text)) {
      if (node instanceof Element && (node.tagName === "BR" || node.tagName === "HR")) pendingBreak = true;
      continue;
    }
    const block = nearestBlock(node, root);
    chunks.push({ text: node.data, breakBefore: pendingBreak || (lastBlock !== null && block !== lastBlock) });
    nodes.push(node);
    pendingBreak = false;
    lastBlock = block;
  }
  return { nodes, chunks };
}

/** Unwraps every mark a previous paint made; the text nodes it split are merged again. */
export function unpaint(root: Element): void {
  const marks = root.querySelectorAll(MARK_SELECTOR);
  if (marks.length === 0) return;
  for (const mark of marks) mark.replaceWith(...mark.childNodes);
  root.normalize();
}

/** Paints the highlights into `root` (after unpainting it); returns the ids painted at least once. */
export function paint(root: Element, highlights: readonly QuoteToPaint[], options: MarkOptions): Set<string> {
  unpaint(root);
  const { nodes, chunks } = textNodes(root);
  const pieces = paintPieces(chunks, highlights);
  const painted = new Set<string>();
  // From the last run back: splitting a text node then never moves an offset still to be wrapped.
  for (let i = pieces.length - 1; i >= 0; i--) {
    const piece = pieces[i] as Piece;
    const node = nodes[piece.chunk];
    if (!node) continue;
    const whitespace = !node.data.slice(piece.start, piece.end).trim();
    if (whitespace && STRUCTURAL.has(node.parentElement?.tagName ?? "")) continue;
    if (piece.end < node.data.length) node.splitText(piece.end);
    const target = piece.start > 0 ? node.splitText(piece.start) : node;
    const mark = document.createElement("mark");
    for (const [name, value] of Object.entries(markAttributes(piece, options))) {
      if (value !== undefined) mark.setAttribute(name, value);
    }
    target.replaceWith(mark);
    mark.append(target);
    for (const id of piece.ids) painted.add(id);
  }
  return painted;
}
