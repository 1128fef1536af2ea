import { XMLParser } from "fast-xml-parser";
import { AppError } from "../errors";
import type { Subscription } from "../store/following";

/** Outlines an import takes; counted before parsing, so an OPML of a million outlines costs one scan. */
export const OPML_MAX_OUTLINES = 1_000;
/** An import body: 1,000 outlines fit in well under this. */
export const OPML_MAX_BYTES = 1024 * 1024;

export interface OpmlFeed {
  xmlUrl: string;
  title: string;
  htmlUrl?: string;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@",
  isArray: (name) => name === "outline",
  processEntities: true,
});

type Node = Record<string, unknown>;

function countOutlines(text: string, limit: number): number {
  let count = 0;
  for (let at = text.indexOf("<outline"); at !== -1; at = text.indexOf("<outline", at + 8)) {
    count++;
    if (count > limit) break;
  }
  return count;
}

/** The feeds of an OPML document (nested folders flattened), at most OPML_MAX_OUTLINES outlines. */
export function parseOpml(text: string): OpmlFeed[] {
  if (/<!ENTITY/i.test(text.slice(0, 64 * 1024))) {
    throw new AppError("too_large", "The OPML declares XML entities (refused: an entity expansion bomb)");
  }
  if (countOutlines(text, OPML_MAX_OUTLINES) > OPML_MAX_OUTLINES) {
    throw new AppError("too_large", `The OPML has more than ${OPML_MAX_OUTLINES.toLocaleString("en")} outlines`);
  }
  let doc: Node;
  try {
    doc = parser.parse(text) as Node;
  } catch (cause) {
    throw new AppError("invalid_body", "The OPML is not well-formed XML", { cause });
  }
  const body = ((doc.opml as Node | undefined)?.body as Node | undefined) ?? null;
  if (!body) throw new AppError("invalid_body", "This is not an OPML document (no <opml><body>)");
  const feeds: OpmlFeed[] = [];
  // An explicit stack, not recursion: nesting depth is the document's to choose.
  // Depth first in document order: the stack holds the next outline last.
  const stack: Node[] = [...((body.outline as Node[] | undefined) ?? [])].reverse();
  for (let outline = stack.pop(); outline !== undefined; outline = stack.pop()) {
    const xmlUrl = outline["@xmlUrl"];
    if (typeof xmlUrl === "string" && xmlUrl.trim()) {
      const title = outline["@title"] ?? outline["@text"];
      const htmlUrl = outline["@htmlUrl"];
      feeds.push({
        xmlUrl: xmlUrl.trim(),
        title: typeof title === "string" ? title.slice(0, 500) : "",
        ...(typeof htmlUrl === "string" ? { htmlUrl } : {}),
      });
    }
    stack.push(...[...((outline.outline as Node[] | undefined) ?? [])].reverse());
  }
  return feeds;
}

const escapeXml = (value: string) =>
  value.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c] ?? c);

/** OPML 2.0 of the subscriptions: one outline each, readable by any feed reader. */
export function toOpml(subscriptions: Subscription[], now: Date): string {
  const outlines = subscriptions.map((s) => {
    const title = escapeXml(s.title || s.feedUrl);
    const html = s.siteUrl ? ` htmlUrl="${escapeXml(s.siteUrl)}"` : "";
    return `    <outline type="rss" text="${title}" title="${title}" xmlUrl="${escapeXml(s.feedUrl)}"${html}/>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<opml version="2.0">',
    "  <head>",
    "    <title>article-summarizer subscriptions</title>",
    `    <dateCreated>${now.toUTCString()}</dateCreated>`,
    "  </head>",
    "  <body>",
    ...outlines,
    "  </body>",
    "</opml>",
    "",
  ].join("\n");
}
