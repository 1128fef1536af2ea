import { describe, expect, it } from "vitest";
import { libraryHref, libraryQueryFrom } from "./library";

describe("library URL state", () => {
  it("reads filters, ignores what is not one, and pages by 20", () => {
    expect(
      libraryQueryFrom({ q: " seals ", kind: "podcast", tag: "sea", from: "2026-01-01", to: "yesterday", page: "3" }),
    ).toMatchObject({
      q: "seals",
      kind: "podcast",
      tag: "sea",
      from: "2026-01-01",
      to: undefined,
      sort: "relevance",
      offset: 40,
    });
    expect(libraryQueryFrom({ kind: "spreadsheet", page: "-4" })).toMatchObject({
      kind: undefined,
      sort: "newest",
      offset: 0,
    });
  });

  it("keeps the other filters when one changes, and resets the page", () => {
    const current = { q: "seals", kind: "podcast", page: "4" };
    expect(libraryHref(current, { tag: "sea" })).toBe("/articles?q=seals&kind=podcast&tag=sea");
    expect(libraryHref(current, { kind: undefined })).toBe("/articles?q=seals");
    expect(libraryHref(current, { page: 5 })).toBe("/articles?q=seals&kind=podcast&page=5");
    expect(libraryHref({}, {})).toBe("/articles");
  });
});
