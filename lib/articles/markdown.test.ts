import { describe, expect, it } from "vitest";
import type { Article } from "../domain";
import { articleToMarkdown } from "./markdown";

const article: Article = {
  id: "a1",
  url: "https://news.example/a?utm_source=x",
  canonicalUrl: "https://news.example/a",
  title: 'Quotes "inside": and colons',
  byline: null,
  siteName: "News",
  lang: "en",
  publishedTime: "2026-10-02T09:00:00Z",
  excerpt: null,
  text: "t",
  html: "",
  leadImage: null,
  media: [],
  summary: {
    tldr: "Short.",
    keyPoints: ["k"],
    markdown: "## Key points\n\n- k",
    tags: ["a", "b c"],
    chapters: [{ start: 3725, title: "Later" }],
  },
  provenance: {
    extractor: "readability@0.6.0",
    model: "gpt-4o-mini",
    promptVersion: "v1",
    path: "single",
    inputTokens: 10,
    outputTokens: 5,
    costUsd: null,
  },
  createdAt: "2026-11-24T00:00:00.000Z",
  updatedAt: "2026-11-24T00:00:00.000Z",
};

describe("Markdown export", () => {
  it("writes front matter with metadata and provenance that YAML readers can parse", () => {
    const md = articleToMarkdown(article);
    const front = md.split("---")[1] ?? "";
    expect(front).toContain('title: "Quotes \\"inside\\": and colons"');
    expect(front).toContain('canonical_url: "https://news.example/a"');
    expect(front).toContain('tags: ["a", "b c"]');
    expect(front).toContain("  cost_usd: null");
    expect(front).toContain('  model: "gpt-4o-mini"');
    expect(md).toContain("> Short.");
    expect(md).toContain("- 1:02:05 Later");
  });
});
