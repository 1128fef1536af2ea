import { decodeHTML } from "entities";
import type { Article, Highlight } from "../domain";

/** YAML-safe scalar: JSON strings are valid YAML, so quoting through JSON avoids hand-written escaping. */
const scalar = (value: unknown): string => (value === null || value === undefined ? "null" : JSON.stringify(value));

function formatTimestamp(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
}

/** A block quote of any text: every line prefixed, so a quote spanning paragraphs stays one quote. */
const blockquote = (text: string): string =>
  text
    .trim()
    .split("\n")
    .map((line) => `> ${line}`.trimEnd())
    .join("\n");

/**
 * An article as a Markdown document: front matter with metadata, the reader's state and provenance, then the
 * summary, the reader's note and highlights (each with its note, and its time for a transcript highlight).
 */
export function articleToMarkdown(article: Article, highlights: Highlight[] = []): string {
  const { summary, provenance } = article;
  const front = [
    "---",
    `title: ${scalar(article.title)}`,
    `url: ${scalar(article.url)}`,
    `canonical_url: ${scalar(article.canonicalUrl)}`,
    `byline: ${scalar(article.byline)}`,
    `site_name: ${scalar(article.siteName)}`,
    `lang: ${scalar(article.lang)}`,
    `published_time: ${scalar(article.publishedTime)}`,
    `tags: [${summary.tags.map(scalar).join(", ")}]`,
    `saved_at: ${scalar(article.createdAt)}`,
    `state: ${scalar(article.state)}`,
    `read: ${article.read}`,
    `favorite: ${article.favorite}`,
    "provenance:",
    `  extractor: ${scalar(provenance.extractor)}`,
    `  transcript_source: ${scalar(provenance.transcriptSource ?? null)}`,
    `  model: ${scalar(provenance.model)}`,
    `  prompt_version: ${scalar(provenance.promptVersion)}`,
    `  path: ${scalar(provenance.path)}`,
    `  input_tokens: ${provenance.inputTokens}`,
    `  output_tokens: ${provenance.outputTokens}`,
    `  cost_usd: ${scalar(provenance.costUsd)}`,
    "---",
  ];
  const body = [`# ${article.title}`, "", `> ${summary.tldr}`, "", summary.markdown.trim()];
  if (summary.chapters?.length) {
    body.push("", "## Chapters", "", ...summary.chapters.map((c) => `- ${formatTimestamp(c.start)} ${c.title}`));
  }
  if (article.note.trim()) body.push("", "## Note", "", article.note.trim());
  if (highlights.length > 0) {
    body.push("", "## Highlights");
    for (const h of highlights) {
      body.push("", blockquote(h.quote));
      if (h.startSec !== null) body.push(`>\n> — ${formatTimestamp(h.startSec)}`);
      if (h.note) body.push("", h.note.trim());
    }
  }
  return `${[...front, "", safeMarkdown(body.join("\n"))].join("\n")}\n`;
}

const SAFE_SCHEMES = new Set(["http:", "https:", "mailto:"]);

/** Whether a link target is one a reader's app may follow: http(s), mailto, or relative (no scheme). */
function safeTarget(target: string): boolean {
  // Entities and control characters are how `javascript&#58;` and `java\tscript:` slip past a plain check.
  const decoded = [...decodeHTML(target)]
    .filter((c) => c.charCodeAt(0) > 0x20 && c.charCodeAt(0) !== 0x7f)
    .join("")
    .toLowerCase();
  const scheme = /^([a-z][a-z0-9+.-]*:)/.exec(decoded)?.[1];
  return scheme === undefined || SAFE_SCHEMES.has(scheme);
}

/**
 * The exported Markdown is opened in other apps that render raw HTML: the summary (LLM output), titles, notes and
 * quotes have their `<` and `>` escaped, and a link or link definition to anything but http(s), mailto or a
 * relative target is dropped (its text kept).
 */
export function safeMarkdown(markdown: string): string {
  return markdown
    .replace(/</g, "&lt;")
    .replace(/>/g, (match, at: number, all: string) => (isQuoteMarker(all, at) ? match : "&gt;"))
    .replace(/\[([^\]\n]{0,1000})\]\(((?:[^()\n]|\([^()\n]*\)){0,2000})\)/g, (link, text: string, target: string) =>
      safeTarget(target.trim().replace(/^&lt;|&gt;$/g, "")) ? link : text,
    )
    .replace(/^( {0,3}\[[^\]\n]{1,1000}\]:)[ \t]*(\S+).*$/gm, (line, _label: string, target: string) =>
      safeTarget(target) ? line : "",
    );
}

/** A `>` that starts a line (after up to three spaces and other `>`s) is a block quote marker, not HTML. */
function isQuoteMarker(all: string, at: number): boolean {
  let i = at - 1;
  while (i >= 0 && (all[i] === ">" || all[i] === " ")) i--;
  return i < 0 || all[i] === "\n";
}
