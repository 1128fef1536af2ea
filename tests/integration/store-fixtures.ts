import { randomUUID } from "node:crypto";
import type { NewArticle } from "@/lib/domain";

/** A small valid article for store tests; a fresh URL each call unless one is given. */
export function article(overrides: Partial<NewArticle> = {}): NewArticle {
  const url = overrides.url ?? `https://news.example/${randomUUID()}`;
  return {
    url,
    canonicalUrl: url,
    title: "Small towns rebuild their libraries",
    byline: "Maria Okafor",
    siteName: "The Civic Ledger",
    lang: "en",
    publishedTime: "2026-10-02T09:00:00Z",
    excerpt: "Libraries become community hubs.",
    text: "When the paper mill closed, the library moved into the old mill office and expanded its hours.",
    html: "<p>When the paper mill closed…</p>",
    leadImage: "https://news.example/img/mill.jpg",
    media: [],
    summary: {
      tldr: "Libraries anchor small towns.",
      keyPoints: ["Longer hours"],
      markdown: "## TL;DR",
      tags: ["libraries"],
    },
    provenance: {
      extractor: "readability",
      model: "extractive",
      promptVersion: "v1",
      path: "extractive",
      inputTokens: 0,
      outputTokens: 0,
      costUsd: null,
    },
    ...overrides,
  };
}
