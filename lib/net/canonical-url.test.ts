import { describe, expect, it } from "vitest";
import { fileNameFromUrl } from "./canonical-url";

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
