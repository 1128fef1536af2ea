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
  return `${[...front, "", ...body].join("\n")}\n`;
}
