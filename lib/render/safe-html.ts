import { Marked, type Tokens } from "marked";

/*
 * The request path renders without a DOM. Stored article HTML was sanitized once, in the extraction worker, before
 * it was stored (lib/extract/html-reader.ts); summaries are Markdown from an LLM, rendered here with every raw HTML
 * token escaped and only safe link schemes kept, so no sanitizer has to parse them again; search snippets are text
 * with <b> marks. Each is linear in its input and bounded.
 */

/** Summaries longer than this, or nested deeper, are shown as plain text: marked recurses per nesting level. */
// marked's inline tokenizer is quadratic on some inputs (runs of emphasis markers): 20,000 characters bounds that to
// well under a second, and a summary is a few thousand.
export const MAX_MARKDOWN_CHARS = 20_000;
export const MAX_MARKDOWN_DEPTH = 24;

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);

const SAFE_URL = /^(https?:|mailto:|#|\/(?!\/))/i;
const safeUrl = (href: string) => (SAFE_URL.test(href.trim()) ? escapeHtml(href.trim()) : null);

const markdown = new Marked({
  gfm: true,
  async: false,
  renderer: {
    html: ({ text }: Tokens.HTML | Tokens.Tag) => escapeHtml(text),
    link(token: Tokens.Link) {
      const text = this.parser.parseInline(token.tokens);
      const href = safeUrl(token.href);
      if (!href) return text;
      const title = token.title ? ` title="${escapeHtml(token.title)}"` : "";
      return `<a href="${href}"${title} rel="noopener noreferrer nofollow">${text}</a>`;
    },
    image(token: Tokens.Image) {
      // No remote images in summaries: an LLM-written URL would make every view fetch it.
      return escapeHtml(token.text);
    },
  },
});

/**
 * The deepest nesting a Markdown text can produce, from its line prefixes (blockquote markers, list and code
 * indentation), in one pass.
 */
export function markdownDepth(text: string): number {
  let deepest = 0;
  for (const line of text.split("\n")) {
    let depth = 0;
    let spaces = 0;
    for (let i = 0; i < line.length; i++) {
      const c = line.charCodeAt(i);
      if (c === 32) spaces++;
      else if (c === 9) spaces += 4;
      else if (c === 62 /* > */ || c === 45 /* - */ || c === 42 /* * */ || c === 43 /* + */) depth++;
      else if (c >= 48 && c <= 57) continue;
      else if (c === 46 || c === 41) continue;
      else break;
    }
    deepest = Math.max(deepest, depth + Math.floor(spaces / 2));
  }
  return deepest;
}

const plainText = (text: string) => `<p>${escapeHtml(text.slice(0, MAX_MARKDOWN_CHARS)).replace(/\n/g, "<br>")}</p>`;

/**
 * Summary Markdown (LLM output, so untrusted) to HTML that needs no sanitizer: raw HTML escaped, links limited to
 * http(s)/mailto/relative. Too long, too deep, a paragraph of emphasis delimiters, or failing to render: the plain
 * text, never an error page.
 */
export function renderMarkdown(text: string): string {
  if (text.length > MAX_MARKDOWN_CHARS || markdownDepth(text) > MAX_MARKDOWN_DEPTH || hasDelimiterRun(text)) {
    return plainText(text);
  }
  try {
    return markdown.parse(text) as string;
  } catch {
    // marked has thrown on inputs no check above foresaw (stack depth): the text is still worth showing.
    return plainText(text);
  }
}

/** More emphasis delimiters than any prose paragraph holds: past it, the summary is shown as plain text. */
export const MAX_DELIMITERS_PER_PARAGRAPH = 200;

/**
 * marked matches emphasis delimiters against each other per paragraph, quadratically in their number: `"*a _"`
 * repeated inside the 20,000-character cap took 5 s per view. A paragraph with more delimiters than prose uses
 * is not Markdown worth rendering; one linear count finds it.
 */
export function hasDelimiterRun(text: string): boolean {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 42 /* * */ || c === 95 /* _ */) {
      if (++count > MAX_DELIMITERS_PER_PARAGRAPH) return true;
    } else if (c === 10 /* \n */ && /^\n[ \t]*\n/.test(text.slice(i, i + 64))) count = 0;
  }
  return false;
}

/** A search snippet (ts_headline over plain text, <b> marks the hits): escaped, then the marks restored. */
export function snippetHtml(snippet: string): string {
  return escapeHtml(snippet).replaceAll("&lt;b&gt;", "<b>").replaceAll("&lt;/b&gt;", "</b>");
}
