import { describe, expect, it } from "vitest";
import { layerRuns, MAX_OCCURRENCES, type Piece, paintPieces, type TextChunk } from "./highlight-paint";

/** The painted text of each highlight, as the marks would read it. */
const textOf = (chunks: TextChunk[], pieces: Piece[], id: string): string[] =>
  pieces.filter((p) => p.ids.includes(id)).map((p) => chunks[p.chunk]?.text.slice(p.start, p.end) ?? "");

describe("paintPieces: where highlights fall in text rendered in pieces", () => {
  // "<p>The lamp was lit at <em>dusk</em> and <strong>trimmed   at <a>midnight</a></strong>, every night.</p>
  //  <p>Storms came.</p>": its text nodes.
  const chunks: TextChunk[] = [
    { text: "The lamp was lit at " },
    { text: "dusk" },
    { text: " and " },
    { text: "trimmed   at " },
    { text: "midnight" },
    { text: ", every night." },
    { text: "Storms came.", breakBefore: true },
  ];

  it("finds a quote across inline elements, with other whitespace than the stored text", () => {
    const pieces = paintPieces(chunks, [{ id: "a", quote: "lit at dusk and trimmed at\nmidnight" }]);
    expect(textOf(chunks, pieces, "a")).toEqual(["lit at ", "dusk", " and ", "trimmed   at ", "midnight"]);
    expect(pieces.map((p) => p.starts)).toEqual([["a"], [], [], [], []]);
  });

  it("reads a block boundary as whitespace: a quote runs into the next paragraph, and never glues two words", () => {
    const pieces = paintPieces(chunks, [{ id: "b", quote: "every night. Storms" }]);
    expect(textOf(chunks, pieces, "b")).toEqual(["every night.", "Storms"]);
    expect(paintPieces(chunks, [{ id: "c", quote: "night.Storms" }])).toEqual([]);
    // Without the boundary, the two text nodes would run together.
    expect(
      paintPieces(
        chunks.slice(5, 7).map((c) => ({ text: c.text })),
        [{ id: "d", quote: "night. Storms" }],
      ),
    ).toEqual([]);
  });

  it("splits overlapping highlights where one begins or ends; each run lists every highlight over it", () => {
    const pieces = paintPieces(chunks, [
      { id: "a", quote: "The lamp was lit" },
      { id: "b", quote: "lit at dusk" },
    ]);
    expect(pieces).toEqual([
      { chunk: 0, start: 0, end: 13, ids: ["a"], starts: ["a"] },
      { chunk: 0, start: 13, end: 16, ids: ["a", "b"], starts: ["b"] },
      { chunk: 0, start: 16, end: 20, ids: ["b"], starts: [] },
      { chunk: 1, start: 0, end: 4, ids: ["b"], starts: [] },
    ]);
  });

  it("paints every occurrence of a repeated quote, each a place to stop; two highlights of one quote share runs", () => {
    const text: TextChunk[] = [{ text: "The lamp was lit. Later " }, { text: "the lamp was lit. The lamp was lit." }];
    const pieces = paintPieces(text, [
      { id: "a", quote: "The lamp was lit" },
      { id: "b", quote: "The lamp  was lit" },
    ]);
    expect(pieces.map((p) => [p.chunk, p.start, p.end, p.ids.join(" "), p.starts.join(" ")])).toEqual([
      [0, 0, 16, "a b", "a b"],
      [1, 18, 34, "a b", "a b"],
    ]);
  });

  it("caps the occurrences of a quote, and ignores an empty one", () => {
    const text: TextChunk[] = [{ text: "ab ".repeat(200) }];
    expect(paintPieces(text, [{ id: "a", quote: "ab" }])).toHaveLength(MAX_OCCURRENCES);
    expect(paintPieces(text, [{ id: "a", quote: "  \n " }])).toEqual([]);
  });

  it("skips empty chunks and finds a quote that starts a chunk", () => {
    const text: TextChunk[] = [{ text: "One." }, { text: "" }, { text: "Two three." }];
    expect(paintPieces(text, [{ id: "a", quote: "Two" }])).toEqual([
      { chunk: 2, start: 0, end: 3, ids: ["a"], starts: ["a"] },
    ]);
  });
});

describe("layerRuns: highlights and search matches in one transcript paragraph", () => {
  it("cuts the paragraph where either begins or ends", () => {
    // "Tonight the keeper reads": a highlight over "the keeper reads", a search match on "keeper".
    const runs = layerRuns(24, [{ start: 8, end: 24, ids: ["a"], starts: ["a"] }], [[12, 18]]);
    expect(runs).toEqual([
      { start: 0, end: 8, ids: [], starts: [], hit: false },
      { start: 8, end: 12, ids: ["a"], starts: ["a"], hit: false },
      { start: 12, end: 18, ids: ["a"], starts: [], hit: true },
      { start: 18, end: 24, ids: ["a"], starts: [], hit: false },
    ]);
    expect(layerRuns(5, [], [])).toEqual([{ start: 0, end: 5, ids: [], starts: [], hit: false }]);
  });
});
