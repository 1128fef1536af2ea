import { describe, expect, it } from "vitest";
import { bookmarkletHref, MAX_URLS, parseUrlList } from "./submit";

describe("URL box", () => {
  it("takes one URL or many, one per line, dropping blanks and duplicates and naming the invalid lines", () => {
    const parsed = parseUrlList(
      " https://a.example/x \n\nhttps://a.example/x\nnot a url\nftp://files.example/a\nhttp://b.example/y\r\n",
    );
    expect(parsed).toEqual({
      urls: ["https://a.example/x", "http://b.example/y"],
      invalid: ["not a url", "ftp://files.example/a"],
      tooMany: false,
    });
  });

  it(`refuses more than ${MAX_URLS}`, () => {
    const text = Array.from({ length: MAX_URLS + 1 }, (_, i) => `https://a.example/${i}`).join("\n");
    const parsed = parseUrlList(text);
    expect(parsed.tooMany).toBe(true);
    expect(parsed.urls).toHaveLength(MAX_URLS);
  });

  it("builds a bookmarklet that opens the admin with the tab's URL and no credentials", () => {
    const href = bookmarkletHref("https://sum.example");
    expect(href.startsWith("javascript:")).toBe(true);
    expect(href).toContain('"https://sum.example/admin?url="+encodeURIComponent(location.href)');
    expect(href).not.toMatch(/token|password|cookie/i);
  });
});
