import { describe, expect, it } from "vitest";
import { canonicalizeUrl, fileNameFromUrl, resolveCanonicalLink } from "./canonical-url";

describe("canonicalizeUrl: one form for the same page", () => {
  it.each([
    ["https://News.Example.COM./a/b?z=1&a=2#top", "https://news.example.com/a/b?a=2&z=1"],
    ["https://news.example/story/", "https://news.example/story"],
    ["https://news.example/story///", "https://news.example/story"],
    ["https://news.example/", "https://news.example/"],
    ["http://news.example:80/a", "http://news.example/a"],
    ["https://news.example:443/a", "https://news.example/a"],
    ["https://news.example:8443/a", "https://news.example:8443/a"],
    ["https://news.example/a?utm_source=x&id=7&fbclid=y&UTM_Medium=z", "https://news.example/a?id=7"],
    ["https://news.example/a?b=2&a=1&a=0", "https://news.example/a?a=1&a=0&b=2"],
  ])("%s → %s", (input, expected) => {
    expect(canonicalizeUrl(input)).toBe(expected);
  });

  it("gives every spelling of one page the same key", () => {
    const spellings = [
      "https://news.example/story/?b=2&a=1",
      "https://NEWS.example/story?a=1&b=2&utm_campaign=fall",
      "https://news.example:443/story?a=1&b=2#comments",
    ];
    expect(new Set(spellings.map(canonicalizeUrl))).toEqual(new Set(["https://news.example/story?a=1&b=2"]));
  });
});

describe("resolveCanonicalLink", () => {
  it("trusts a same-host canonical link, in canonical form", () => {
    expect(resolveCanonicalLink("/story/?b=2&a=1", "https://news.example/story?a=1&b=2&fbclid=x")).toBe(
      "https://news.example/story?a=1&b=2",
    );
  });

  it("trusts the same origin and path with fewer parameters, never another query, port or path", () => {
    expect(resolveCanonicalLink("https://news.example/story", "https://news.example/story?utm_source=x&page=2")).toBe(
      "https://news.example/story",
    );
    // Issue 24: ?r=attacker overwrote ?r=victim's saved article, and the port was ignored.
    expect(resolveCanonicalLink("https://news.example/s?r=victim", "https://news.example/s?r=attacker")).toBeNull();
    expect(resolveCanonicalLink("https://news.example:8443/story", "https://news.example/story")).toBeNull();
    expect(resolveCanonicalLink("http://news.example/story", "https://news.example/story")).toBeNull();
    expect(resolveCanonicalLink("https://news.example/other-story", "https://news.example/story")).toBeNull();
  });

  it("refuses another host, another scheme and nothing", () => {
    expect(resolveCanonicalLink("https://other.example/story", "https://news.example/story")).toBeNull();
    expect(resolveCanonicalLink("javascript:alert(1)", "https://news.example/story")).toBeNull();
    expect(resolveCanonicalLink(null, "https://news.example/story")).toBeNull();
  });
});

describe("fileNameFromUrl", () => {
  it("decodes the last path segment", () => {
    expect(fileNameFromUrl("https://cdn.example/shows/episode%2012.mp3?t=1", "audio")).toBe("episode 12.mp3");
  });

  it("falls back when the path ends in a slash", () => {
    expect(fileNameFromUrl("https://cdn.example/shows/", "audio")).toBe("audio");
  });

  it("keeps a malformed escape as it is instead of throwing", () => {
    expect(fileNameFromUrl("https://cdn.example/100%25%zz.pdf", "doc")).toBe("100%25%zz.pdf");
  });
});
