import type { Article } from "../domain";

/** YAML-safe scalar: JSON strings are valid YAML, so quoting through JSON avoids hand-written escaping. */
const scalar = (value: unknown): string => (value === null || value === undefined ? "null" : JSON.stringify(value));

function formatTimestamp(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
}

/** An article as a Markdown document: front matter with metadata and provenance, then the summary. */
export function articleToMarkdown(article: Article): string {
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
  return `${[...front, "", ...body].join("\n")}\n`;
}
