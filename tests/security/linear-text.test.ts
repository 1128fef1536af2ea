import { describe, expect, it } from "vitest";
import { parseCues, parsePublisherTranscript } from "@/lib/ai/transcript-formats";
import { leanHtml } from "@/lib/extract/dom";
import {
  decodeEntities,
  hasTag,
  normalizeText,
  removeComments,
  replaceElements,
  replaceTags,
} from "@/lib/extract/text";
import { detectWall } from "@/lib/extract/walls";
import { parseTimedText } from "@/lib/extract/youtube-captions";
import { canonicalizeUrl } from "@/lib/net/canonical-url";
import { pageTitle } from "@/lib/pipeline/detect-media";
import { stripTags } from "@/lib/pipeline/extract";

/**
 * Every helper that sees fetched text, on 1 MB built to trip backtracking (runs that a `\s*\n\s*` or `<[^>]+>`
 * re-scans from each of their characters). Linear code takes milliseconds here; the quadratic versions these replace
 * took minutes. The budget is generous for a loaded 2-core machine and still orders of magnitude under quadratic.
 */
const MB = 1 << 20;
const BUDGET_MS = 1500;
const fill = (unit: string, prefix = "", suffix = "") =>
  prefix + unit.repeat(Math.ceil((MB - prefix.length - suffix.length) / unit.length)) + suffix;

const adversarial: Record<string, string[]> = {
  whitespace: [fill("\u2003", "a", "b"), fill(" \u2003\t"), fill("\u00a0\u2028 ")],
  tags: [fill("<"), fill("<a"), fill("<br "), fill("< >"), fill("<>"), fill("<br", "", ">"), fill(" ", "<br")],
  elements: [
    fill("<script"),
    fill("<script>"),
    fill("<script></script"),
    fill("<style x"),
    fill("<!--"),
    fill("<iframe>x</iframe "),
    fill("<p>"),
    fill('<text start="1">'),
  ],
  meta: [
    fill("<meta"),
    fill("<meta property='og:title' content='x"),
    fill("<title"),
    fill("<title>a<"),
    fill("<title>"),
  ],
  cues: [fill("-->"), fill("00:00:01.000 --> "), fill("\n\n1\n00:00 --> 00:01\n<a"), fill("\n")],
  entities: [fill("1", "&#"), fill("&#"), fill("&#x"), fill("f", "&#x"), fill("&am")],
  urls: [`https://a.example/x${"/".repeat(MB)}`, `https://a.example/?${"utm_a=1&".repeat(MB / 8)}`],
};

function timed(name: string, input: string, fn: (input: string) => unknown): void {
  const started = performance.now();
  fn(input);
  const ms = performance.now() - started;
  expect({ name, head: input.slice(0, 24), ms: ms < BUDGET_MS ? "within budget" : ms }).toEqual({
    name,
    head: input.slice(0, 24),
    ms: "within budget",
  });
}

describe("text helpers on fetched content are linear (1 MB adversarial inputs)", () => {
  const all = Object.values(adversarial).flat();
  const cases: [string, (input: string) => unknown][] = [
    ["normalizeText", normalizeText],
    ["replaceTags", (s) => replaceTags(s, " ")],
    ["hasTag", hasTag],
    ["stripTags", stripTags],
    ["replaceElements", (s) => replaceElements(s, "script", () => "")],
    ["removeComments", removeComments],
    ["leanHtml", leanHtml],
    ["pageTitle", pageTitle],
    ["parseCues", parseCues],
    ["parsePublisherTranscript", (s) => parsePublisherTranscript(s, undefined)],
    ["parsePublisherTranscript html", (s) => parsePublisherTranscript(s, "text/html")],
    ["parseTimedText", parseTimedText],
    ["decodeEntities", decodeEntities],
    ["detectWall", (s) => detectWall({ title: s.slice(0, 300), text: s, html: s })],
  ];
  for (const [name, fn] of cases) {
    it(name, () => {
      for (const input of all) timed(name, input, fn);
    });
  }

  it("canonicalizeUrl", () => {
    for (const input of adversarial.urls ?? []) timed("canonicalizeUrl", input, canonicalizeUrl);
  });
});

describe("the linear helpers say what the patterns they replace said", () => {
  // Small random strings over the characters the patterns care about: same output as the regex they replace.
  const alphabet = ["<", ">", "a", "b", " ", "\n", "\t", "\u00a0", "\u2003", "/", "!", "-", "\r", "p", "s"];
  const random = (seed: number) => {
    let x = seed;
    const next = () => {
      x = (x * 1103515245 + 12345) % 2147483648;
      return x;
    };
    return Array.from({ length: next() % 40 }, () => alphabet[next() % alphabet.length]).join("");
  };
  const oldNormalize = (text: string) =>
    text
      .replace(/[ \t\u00a0]+/g, " ")
      .replace(/\s*\n\s*/g, "\n")
      .replace(/\n{3,}/g, "\n\n")
      .trim();

  it("normalizeText, replaceTags, hasTag, removeComments", () => {
    for (let seed = 1; seed < 5000; seed++) {
      const s = random(seed);
      expect(normalizeText(s)).toBe(oldNormalize(s));
      expect(replaceTags(s, "|")).toBe(s.replace(/<[^>]+>/g, "|"));
      expect(hasTag(s)).toBe(/<\w+[^>]*>/.test(s));
      expect(removeComments(s)).toBe(s.replace(/<!--[\s\S]*?-->/g, ""));
    }
  });

  it("replaceElements", () => {
    const elementAlphabet = ["<p", "</p", ">", " ", "x", "<pre>", "</P >", "<P>", "\n"];
    for (let seed = 1; seed < 3000; seed++) {
      let x = seed;
      const next = () => {
        x = (x * 1103515245 + 12345) % 2147483648;
        return x;
      };
      const s = Array.from({ length: next() % 20 }, () => elementAlphabet[next() % elementAlphabet.length]).join("");
      expect(replaceElements(s, "p", ({ attrs, inner }) => `[${attrs}|${inner}]`)).toBe(
        s.replace(/<p\b([^>]*)>([\s\S]*?)<\/p\s*>/gi, (_m, attrs: string, inner: string) => `[${attrs}|${inner}]`),
      );
    }
  });

  it("pageTitle reads og:title, else <title>", () => {
    expect(pageTitle(`<meta content="Ep 1" property="og:title"><title>Site</title>`)).toBe("Ep 1");
    expect(pageTitle(`<head><TITLE lang=en>Ep &amp; 2</TITLE>`)).toBe("Ep & 2");
    expect(pageTitle(`<title></title><title>x</title>`)).toBe("x");
    expect(pageTitle(`<title>unclosed`)).toBeUndefined();
  });
});
