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
  state: "archived",
  read: true,
  favorite: false,
  note: "Worth a second read.",
  position: { fraction: 0.4, seconds: null },
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
    expect(front).toContain('state: "archived"');
    expect(front).toContain("read: true");
  });

  it("ends with the reader's note and highlights, each quote a block quote with its note and time", () => {
    const md = articleToMarkdown(article, [
      {
        id: "h1",
        articleId: "a1",
        quote: "first line\nsecond line",
        note: "Mine.",
        source: "text",
        offset: 0,
        startSec: null,
        createdAt: "2026-11-24T00:00:00.000Z",
      },
      {
        id: "h2",
        articleId: "a1",
        quote: "said on air",
        note: null,
        source: "transcript",
        offset: 9,
        startSec: 75,
        createdAt: "2026-11-24T00:00:00.000Z",
      },
    ]);
    expect(md).toContain("## Note\n\nWorth a second read.");
    expect(md).toContain("## Highlights\n\n> first line\n> second line\n\nMine.\n\n> said on air\n>\n> — 1:15\n");
  });
});

describe("the export is safe to open in apps that render HTML (issue 24)", () => {
  it("escapes raw HTML and drops links to anything but http(s), mailto or relative targets", () => {
    const md = articleToMarkdown({
      ...article,
      title: "<img src=x onerror=alert(1)>",
      summary: {
        ...article.summary,
        markdown: [
          "<script>alert(1)</script>",
          "[click](javascript:alert(1)) and [sneaky](java&#115;cript&#58;alert(2)) and [ok](https://news.example/a)",
          "[ref]: javascript:alert(3)",
          "> a quote stays a quote",
        ].join("\n\n"),
      },
    });
    // The front matter is YAML (quoted scalars); the body is what a Markdown app renders.
    const body = md.split("\n---\n").slice(1).join("\n---\n");
    expect(body).not.toMatch(/<script|<img/i);
    expect(body).toContain("&lt;script&gt;");
    expect(body).not.toMatch(/javascript|java&#115;cript/i);
    expect(body).toContain("click and sneaky and [ok](https://news.example/a)");
    expect(body).toContain("\n> a quote stays a quote");
  });
});
