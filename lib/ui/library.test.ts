import { describe, expect, it } from "vitest";
import { libraryHref, libraryQueryFrom, libraryView, viewParams } from "./library";

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

describe("library views", () => {
  it("opens on the inbox; a search without a view looks everywhere; tabs name their view", () => {
    expect(libraryView({})).toBe("inbox");
    expect(libraryQueryFrom({}, libraryView({})).state).toBe("inbox");
    expect(libraryView({ q: "seals" })).toBe("all");
    expect(libraryQueryFrom({ q: "seals" }, "all").state).toBeUndefined();
    expect(libraryView({ state: "inbox", q: "seals" })).toBe("inbox");
    expect(libraryView({ state: "archived" })).toBe("archive");
    expect(libraryQueryFrom({ state: "archived" }, "archive").state).toBe("archived");
    expect(libraryView({ state: "all", favorite: "true" })).toBe("favorites");
    expect(libraryQueryFrom({ state: "all", favorite: "true", read: "false" }, "favorites")).toMatchObject({
      state: undefined,
      favorite: true,
      read: false,
    });
    expect(libraryQueryFrom({ favorite: "yes", read: "1", state: "deleted" })).toMatchObject({
      state: undefined,
      favorite: undefined,
      read: undefined,
    });
    expect(libraryHref({ q: "seals", kind: "podcast" }, viewParams("archive"))).toBe(
      "/articles?state=archived&q=seals&kind=podcast",
    );
  });
});
