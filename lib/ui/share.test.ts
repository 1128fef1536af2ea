import { describe, expect, it } from "vitest";
import { safeNext, sharedUrl } from "./share";

describe("share target", () => {
  it("takes the url field, else the first link in the text or title", () => {
    expect(sharedUrl({ url: "https://news.example/a?b=1" })).toBe("https://news.example/a?b=1");
    expect(sharedUrl({ title: "Episode 7", text: "Listen: https://pod.example/ep7. Great show!" })).toBe(
      "https://pod.example/ep7",
    );
    expect(sharedUrl({ text: "(see https://news.example/story)" })).toBe("https://news.example/story");
    expect(sharedUrl({ url: "", text: "no link here", title: "Title https://t.example/x" })).toBe(
      "https://t.example/x",
    );
    expect(sharedUrl({ text: "just words" })).toBeNull();
    expect(sharedUrl({ text: "javascript:alert(1) ftp://x.example/" })).toBeNull();
  });

  it("returns after sign-in only to a path of this site", () => {
    expect(safeNext("/share?url=https%3A%2F%2Fa.example%2F")).toBe("/share?url=https%3A%2F%2Fa.example%2F");
    for (const bad of ["//evil.example/", "/\\evil.example", "https://evil.example/", "", null, undefined]) {
      expect(safeNext(bad)).toBeNull();
    }
  });
});
