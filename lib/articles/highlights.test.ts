import { describe, expect, it } from "vitest";
import { locateQuote, normalizeQuote } from "./highlights";

describe("locating a highlight's quote", () => {
  const article = {
    text: "First paragraph ends here.\n\nSecond  paragraph\tstarts.",
    transcript: {
      source: "openai",
      text: "Hello and welcome. Our guest builds boats.",
      segments: [
        { start: 0, end: 3, text: "Hello and welcome." },
        { start: 3, end: 9.5, text: "Our guest builds boats." },
      ],
    },
  };

  it("finds a quote in the text across block breaks and runs of spaces, at its offset in the stored text", () => {
    expect(locateQuote(article, "ends here. Second paragraph")).toEqual({ source: "text", offset: 16, startSec: null });
    expect(locateQuote(article, "  paragraph starts.  ")).toEqual({ source: "text", offset: 36, startSec: null });
    expect(normalizeQuote("  a \n\n b ")).toBe("a b");
  });

  it("finds a transcript quote with the start of the segment it begins in, also across segments", () => {
    expect(locateQuote(article, "builds boats")).toEqual({ source: "transcript", offset: 29, startSec: 3 });
    expect(locateQuote(article, "welcome. Our guest")).toEqual({ source: "transcript", offset: 10, startSec: 0 });
  });

  it("refuses what is not verbatim: changed words, case, or an empty quote", () => {
    expect(locateQuote(article, "Second paragraph begins")).toBeNull();
    expect(locateQuote(article, "hello and welcome")).toBeNull();
    expect(locateQuote(article, " \n ")).toBeNull();
    expect(locateQuote({ text: "abc" }, "abc d")).toBeNull();
  });
});
