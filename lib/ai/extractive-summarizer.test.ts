import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createExtractiveSummarizer, rankSentences } from "./extractive-summarizer";

const FIXTURES = path.join(__dirname, "../../tests/fixtures");
const htmlText = (file: string) =>
  readFileSync(path.join(FIXTURES, "site", file), "utf8")
    .replace(/^[\s\S]*<body>|<\/body>[\s\S]*$/g, "")
    .replace(/<(script|style|nav|footer|aside)[\s\S]*?<\/\1>/g, "")
    .replace(/<[^>]+>/g, "\n")
    .replace(/\n\s*\n+/g, "\n\n")
    .trim();

const ARTICLES = [
  {
    name: "tide pools (en, one sentence written twice)",
    title: "Why Tide Pools Matter",
    text: readFileSync(path.join(FIXTURES, "summaries/tide-pools.txt"), "utf8"),
  },
  {
    name: "bakery (de)",
    title: "Die Bäckerei am Markt",
    text: readFileSync(path.join(FIXTURES, "summaries/bakery.txt"), "utf8"),
  },
  {
    name: "libraries (site fixture)",
    title: "How Small Towns Are Rebuilding Their Libraries",
    text: htmlText("article.html"),
  },
];

const squash = (s: string) => s.replace(/\s+/g, " ").trim();

describe("extractive summarizer", () => {
  const summarizer = createExtractiveSummarizer();
  const plan = summarizer.plan({ title: "", text: "", lang: null, url: "" });

  it.each(ARTICLES)("$name: deterministic, every sentence from the source, none repeated", async ({ title, text }) => {
    const input = { title, text, lang: null, url: "https://a.example/" };
    const first = await summarizer.summarize(input, plan);
    expect(await summarizer.summarize(input, plan)).toEqual(first);

    const { summary, provenance } = first;
    expect(provenance).toMatchObject({ path: "extractive", model: "extractive", inputTokens: 0, costUsd: 0 });
    expect(summary.keyPoints.length).toBeGreaterThanOrEqual(3);
    expect(summary.keyPoints.length).toBeLessThanOrEqual(7);
    expect(summary.tags.length).toBeGreaterThan(0);
    for (const tag of summary.tags) expect(tag).toBe(tag.toLowerCase());
    expect(summary.markdown).toMatch(/Extractive summary/);

    const source = squash(text);
    const bodySentences = summary.markdown
      .split("\n")
      .filter((line) => line.trim() && !line.startsWith("## ") && !line.startsWith("_Extractive"));
    const used = [summary.tldr, ...summary.keyPoints, ...bodySentences];
    for (const sentence of used) expect(source).toContain(squash(sentence));
    expect(new Set(used).size).toBe(used.length);
  });

  it("ranks by TextRank: the sentence others share words with outranks an isolated one", () => {
    const tokens = [
      ["tide", "pools", "animals"],
      ["weather", "report", "sunny"],
      ["tide", "pools", "visitors"],
      ["tide", "animals", "visitors"],
    ];
    const scores = rankSentences(tokens);
    expect(scores[3]).toBeGreaterThan(scores[1] ?? 0);
    expect(scores.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
  });
});
