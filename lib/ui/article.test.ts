import { describe, expect, it } from "vitest";
import { cleanHeadline, findMatches, formatTimestamp, paragraphsOf, readingOrListening, youtubeId } from "./article";

describe("article page helpers", () => {
  it("drops the site's name from the headline, never the headline itself", () => {
    expect(cleanHeadline("How Small Towns Rebuild | The Civic Ledger", "The Civic Ledger")).toBe(
      "How Small Towns Rebuild",
    );
    expect(cleanHeadline("BBC News - Floods close the coast road", null, "https://www.bbc.co.uk/news/1")).toBe(
      "BBC News - Floods close the coast road",
    );
    expect(cleanHeadline("Floods close the coast road – Example", null, "https://example.com/a")).toBe(
      "Floods close the coast road",
    );
    expect(cleanHeadline("Ledger | The Civic Ledger", "The Civic Ledger")).toBe("Ledger | The Civic Ledger");
    expect(cleanHeadline("Rust 2.0 - what changes", "Rust Blog")).toBe("Rust 2.0 - what changes");
  });

  it("says reading time for text and listening time for media", () => {
    const words = Array.from({ length: 1_150 }, () => "word").join(" ");
    expect(readingOrListening({ text: words, media: [] })).toBe("5 min read");
    expect(
      readingOrListening({
        text: "",
        media: [{ kind: "audio", url: "https://a.example/x.mp3", durationSec: 2_520 }],
        transcript: { source: "openai", text: "hi" },
      }),
    ).toBe("42 min listen");
    expect(readingOrListening({ text: "", media: [] })).toBeNull();
  });

  it("formats timestamps and groups transcript segments into paragraphs at pauses", () => {
    expect(formatTimestamp(75)).toBe("1:15");
    expect(formatTimestamp(3_725)).toBe("1:02:05");
    const paragraphs = paragraphsOf([
      { start: 0, end: 2, text: "Hello there." },
      { start: 2, end: 4, text: "Welcome back." },
      { start: 9, end: 11, text: "After a pause." },
    ]);
    expect(paragraphs).toEqual([
      { start: 0, text: "Hello there. Welcome back." },
      { start: 9, text: "After a pause." },
    ]);
  });

  it("finds every match of a word, case-insensitively, in linear time", () => {
    expect(findMatches("Lighthouse and the LIGHTHOUSE keeper", "lighthouse")).toEqual([
      [0, 10],
      [19, 29],
    ]);
    expect(findMatches("aaaa", "a")).toEqual([]);
    const big = "ab".repeat(500_000);
    expect(findMatches(big, "ab").length).toBe(500);
  });

  it("reads YouTube ids from every URL shape and nothing else", () => {
    expect(youtubeId("https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=3")).toBe("dQw4w9WgXcQ");
    expect(youtubeId("https://youtu.be/dQw4w9WgXcQ")).toBe("dQw4w9WgXcQ");
    expect(youtubeId("https://www.youtube.com/shorts/dQw4w9WgXcQ")).toBe("dQw4w9WgXcQ");
    expect(youtubeId("https://evil.example/watch?v=dQw4w9WgXcQ")).toBeNull();
  });
});
