import { describe, expect, it } from "vitest";
import { verifySummary } from "./verify";

const output = (quotes: string[]) => ({
  tldr: "t",
  keyPoints: ["a", "b", "c"],
  markdown: "m",
  tags: [],
  chapters: [],
  quotes,
});

const SOURCE = "The harbor wall was rebuilt after the storm. Fishing boats returned within a week.";

describe("quote verification", () => {
  it("keeps verbatim quotes only: case, punctuation and a longer or prefix-only match are dropped", () => {
    const kept = (quote: string) => verifySummary(output([quote]), { text: SOURCE }).summary.quotes ?? [];
    expect(kept("The harbor wall was rebuilt after the storm.")).toHaveLength(1);
    // Typography a model changes without changing the words is forgiven.
    expect(kept("“Fishing boats returned within a week.”")).toHaveLength(1);
    expect(kept("the harbor wall was rebuilt after the storm.")).toHaveLength(0);
    expect(kept("The harbor wall, was rebuilt after the storm.")).toHaveLength(0);
    expect(kept("The harbor wall was rebuilt after the storm of the century.")).toHaveLength(0);
    expect(kept("The harbor wall was rebuilt entirely")).toHaveLength(0);
    expect(kept("The harbour wall was rebuilt")).toHaveLength(0);
  });

  it("attributes a quote to a speaker only when it lies inside that speaker's segment", () => {
    const segments = [
      { start: 0, end: 4, text: "The harbor wall was rebuilt after the storm.", speaker: "Speaker 1" },
      { start: 4, end: 8, text: "Fishing boats returned within a week.", speaker: "Speaker 2" },
    ];
    const { summary } = verifySummary(
      output(["The harbor wall was rebuilt", "after the storm. Fishing boats returned"]),
      { text: SOURCE, segments },
    );
    expect(summary.quotes).toHaveLength(2);
    expect(summary.quoteSpeakers).toEqual([{ quote: "The harbor wall was rebuilt", speaker: "Speaker 1", start: 0 }]);
  });
});
