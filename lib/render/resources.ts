import { decodeHTMLAttribute } from "entities";
import { isRenderableUrl } from "../net/render-policy";
import { escapeHtml } from "./safe-html";

/*
 * Saved article HTML names images and media on any host: viewing the article would make the admin's browser request
 * them, internal addresses included (a router page, 169.254.169.254, a service on loopback). Before it is rendered,
 * every URL the browser would load on sight — <img src/srcset>, <source src/srcset>, <video poster>, <video>/<audio>
 * src, <track src>, a `background` attribute — is judged by the caller's policy; a refused image becomes its alt text,
 * a refused source or track goes, a refused attribute is removed, refused srcset candidates are dropped.
 *
 * No DOM: the stored HTML is a serializer's output (sanitized in the extraction worker), so one linear scan that follows
 * the HTML tokenizer's states (tags, quoted and unquoted attributes, comments, raw text) finds every tag the browser
 * will see, and only those tags are rewritten; every other byte is kept.
 */

/** Elements whose content the browser reads as text, up to their end tag. */
const RAW_TEXT = new Set(["script", "style", "xmp", "iframe", "noembed", "noframes", "textarea", "title"]);

interface Attribute {
  /** Lowercased. */
  name: string;
  /** Decoded (character references), or null for an attribute without a value. */
  value: string | null;
  /** The attribute's source, leading whitespace included: [start, end). */
  start: number;
  end: number;
}

const isSpace = (c: string | undefined) => c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\f";
const isLetter = (c: string | undefined) => c !== undefined && /[A-Za-z]/.test(c);
/** The tokenizer lowercases ASCII only (String#toLowerCase would fold the Kelvin sign into "k"). */
const asciiLower = (text: string) => text.replace(/[A-Z]+/g, (run) => run.toLowerCase());

/** The attributes of the tag whose name ends at `from`, and where the tag ends (after its `>`), or null at EOF. */
function readAttributes(html: string, from: number): { attributes: Attribute[]; end: number } | null {
  const attributes: Attribute[] = [];
  let i = from;
  for (;;) {
    const start = i;
    while (isSpace(html[i]) || html[i] === "/") i++;
    if (i >= html.length) return null;
    if (html[i] === ">") return { attributes, end: i + 1 };
    const nameStart = i;
    // The tokenizer takes a leading "=" into the name.
    i++;
    while (i < html.length && !isSpace(html[i]) && html[i] !== "/" && html[i] !== ">" && html[i] !== "=") i++;
    const name = asciiLower(html.slice(nameStart, i));
    let j = i;
    while (isSpace(html[j])) j++;
    if (html[j] !== "=") {
      attributes.push({ name, value: null, start, end: i });
      continue;
    }
    j++;
    while (isSpace(html[j])) j++;
    const quote = html[j];
    let raw: string;
    if (quote === '"' || quote === "'") {
      const close = html.indexOf(quote, j + 1);
      if (close < 0) return null;
      raw = html.slice(j + 1, close);
      i = close + 1;
    } else {
      const valueStart = j;
      while (j < html.length && !isSpace(html[j]) && html[j] !== ">") j++;
      raw = html.slice(valueStart, j);
      i = j;
    }
    attributes.push({ name, value: decodeHTMLAttribute(raw), start, end: i });
  }
}

/** The end of a comment opened at `from` (just after `<!--`), as the tokenizer finds it. */
function commentEnd(html: string, from: number): number {
  // "<!-->" and "<!--->" close at once.
  if (html[from] === ">") return from + 1;
  if (html.startsWith("->", from)) return from + 2;
  const dashes = html.indexOf("-->", from);
  const bang = html.indexOf("--!>", from);
  if (dashes < 0 && bang < 0) return html.length;
  if (bang >= 0 && (dashes < 0 || bang < dashes)) return bang + 4;
  return dashes + 3;
}

/** Where the raw text of `<name>` started at `from` ends: at its end tag's "<", or the end of the input. */
function rawTextEnd(html: string, from: number, name: string): number {
  const endTag = new RegExp(`</${name}(?=[\\t\\n\\f\\r />]|$)`, "gi");
  endTag.lastIndex = from;
  return endTag.exec(html)?.index ?? html.length;
}

/** A srcset's candidates: a URL (no whitespace; trailing commas end it) and its descriptors. */
export function srcsetCandidates(srcset: string): { url: string; descriptor: string }[] {
  const out: { url: string; descriptor: string }[] = [];
  let i = 0;
  while (i < srcset.length) {
    while (i < srcset.length && (isSpace(srcset[i]) || srcset[i] === ",")) i++;
    if (i >= srcset.length) break;
    const start = i;
    while (i < srcset.length && !isSpace(srcset[i])) i++;
    let url = srcset.slice(start, i);
    let descriptor = "";
    if (url.endsWith(",")) {
      url = url.replace(/,+$/, "");
    } else {
      const descriptorStart = i;
      let depth = 0;
      while (i < srcset.length) {
        const c = srcset[i];
        if (c === "(") depth++;
        else if (c === ")") depth = Math.max(0, depth - 1);
        else if (c === "," && depth === 0) break;
        i++;
      }
      descriptor = srcset.slice(descriptorStart, i).trim();
      i++;
    }
    out.push({ url, descriptor });
  }
  return out;
}

type Rewrite = { drop: true; replacement: string } | { drop: false; remove: Attribute[]; set: Map<Attribute, string> };

/** What to do with one start tag: keep it, drop it (for its alt text), or rewrite some attributes. */
function judgeTag(name: string, attributes: Attribute[], allowed: (url: string) => boolean): Rewrite | null {
  const attr = (n: string) => attributes.find((a) => a.name === n);
  const remove: Attribute[] = [];
  const set = new Map<Attribute, string>();
  const refused = (a: Attribute | undefined) => a !== undefined && !allowed(a.value ?? "");
  const altText = () => escapeHtml(attr("alt")?.value ?? "");

  const src = attr("src");
  const srcset = attr("srcset");
  let srcsetEmpty = false;
  if (srcset && (name === "img" || name === "source")) {
    const candidates = srcsetCandidates(srcset.value ?? "");
    const kept = candidates.filter((c) => allowed(c.url));
    if (kept.length === 0) {
      srcsetEmpty = true;
      remove.push(srcset);
    } else if (kept.length < candidates.length) {
      set.set(srcset, kept.map((c) => (c.descriptor ? `${c.url} ${c.descriptor}` : c.url)).join(", "));
    }
  }
  if (name === "img") {
    // A refused source, or nothing left to show: the image's words instead.
    if (refused(src) || (!src && srcsetEmpty)) return { drop: true, replacement: altText() };
  } else if (name === "source") {
    if (refused(src) || (!src && srcsetEmpty)) return { drop: true, replacement: "" };
  } else if (name === "track") {
    if (refused(src)) return { drop: true, replacement: "" };
  } else if (name === "video" || name === "audio") {
    if (refused(src) && src) remove.push(src);
    const poster = attr("poster");
    if (name === "video" && refused(poster) && poster) remove.push(poster);
  }
  // Tables and cells still load a `background` image.
  for (const a of attributes) if (a.name === "background" && refused(a)) remove.push(a);
  return remove.length > 0 || set.size > 0 ? { drop: false, remove, set } : null;
}

const LOADING_TAGS = new Set(["img", "source", "track", "video", "audio"]);

/**
 * `html` with every resource URL the browser would load judged by `allowed` (see above). Linear in the input; tags
 * that load nothing are copied as they are.
 */
export function withAllowedResources(html: string, allowed: (url: string) => boolean): string {
  let out = "";
  let copied = 0;
  let i = 0;
  while (i < html.length) {
    const lt = html.indexOf("<", i);
    if (lt < 0) break;
    const next = html[lt + 1];
    if (html.startsWith("<!--", lt)) {
      i = commentEnd(html, lt + 4);
      continue;
    }
    if (next === "!" || next === "?") {
      // A doctype or a bogus comment: up to the next ">".
      const gt = html.indexOf(">", lt);
      i = gt < 0 ? html.length : gt + 1;
      continue;
    }
    const closing = next === "/";
    const nameStart = closing ? lt + 2 : lt + 1;
    if (!isLetter(html[nameStart])) {
      // "</>" is nothing; "</" then anything else is a bogus comment; "<" then a non-letter is text.
      if (closing) {
        const gt = html.indexOf(">", lt);
        i = gt < 0 ? html.length : gt + 1;
      } else i = lt + 1;
      continue;
    }
    let nameEnd = nameStart;
    while (nameEnd < html.length && !isSpace(html[nameEnd]) && html[nameEnd] !== "/" && html[nameEnd] !== ">")
      nameEnd++;
    const name = asciiLower(html.slice(nameStart, nameEnd));
    const tag = readAttributes(html, nameEnd);
    if (!tag) {
      // A tag cut off by the end of the input is no tag to the browser either: dropped.
      out += html.slice(copied, lt);
      copied = html.length;
      break;
    }
    i = tag.end;
    if (closing) continue;
    const rewrite =
      LOADING_TAGS.has(name) || tag.attributes.some((a) => a.name === "background")
        ? judgeTag(name, tag.attributes, allowed)
        : null;
    if (rewrite) {
      out += html.slice(copied, lt);
      if (rewrite.drop) out += rewrite.replacement;
      else {
        let at = lt;
        for (const a of tag.attributes) {
          const replaced = rewrite.set.get(a);
          if (!rewrite.remove.includes(a) && replaced === undefined) continue;
          out += html.slice(at, a.start);
          if (replaced !== undefined) out += ` ${a.name}="${escapeHtml(replaced)}"`;
          at = a.end;
        }
        out += html.slice(at, tag.end);
      }
      copied = tag.end;
    }
    if (RAW_TEXT.has(name)) i = rawTextEnd(html, i, name);
    // Everything after <plaintext> is text.
    if (name === "plaintext") break;
  }
  return out + html.slice(copied);
}

/**
 * Saved article HTML as the article page renders it: resources judged by the fetcher's address policy
 * (lib/net/render-policy.ts; https only, FETCH_ALLOWLIST honoured). Literal addresses and local names only: no DNS
 * lookup at render time (a page view must not wait on resolvers, and the browser resolves the name itself), so a
 * public name whose DNS answers a private address is not caught here; the fetcher refused such pages when saving.
 */
export const articleHtmlForView = (html: string, allowlist: readonly string[]): string =>
  withAllowedResources(html, (url) => isRenderableUrl(url, allowlist));
