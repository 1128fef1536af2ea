import { describe, expect, it } from "vitest";
import { cleanTitle } from "./title";

describe("cleanTitle", () => {
  it.each([
    ["Why Tide Pools Matter | Coastal Notes", "Coastal Notes", "Why Tide Pools Matter"],
    ["Coastal Notes — Why Tide Pools Matter", "Coastal Notes", "Why Tide Pools Matter"],
    ["Why Tide Pools Matter - coastal notes", "Coastal Notes", "Why Tide Pools Matter"],
    ["Coastal Notes: Why Tide Pools Matter", "Coastal Notes", "Why Tide Pools Matter"],
    // The site name inside the headline is not a suffix.
    ["Why Coastal Notes Matter", "Notes Matter", "Why Coastal Notes Matter"],
    ["Why Tide Pools Matter | Coastal Notes", null, "Why Tide Pools Matter | Coastal Notes"],
    ["Coastal Notes", "Coastal Notes", "Coastal Notes"],
  ])("%s (site %s) → %s", (title, siteName, expected) => {
    expect(cleanTitle({ title, siteName })).toBe(expected);
  });

  it("prefers the JSON-LD headline and og:title when they agree", () => {
    expect(
      cleanTitle({
        title: "Tide pools | Coastal Notes",
        headline: "Why Tide Pools Matter",
        ogTitle: "Why tide pools matter",
      }),
    ).toBe("Why Tide Pools Matter");
    // They disagree: the page title, cleaned.
    expect(
      cleanTitle({ title: "Tide pools | Coastal Notes", siteName: "Coastal Notes", headline: "A", ogTitle: "B" }),
    ).toBe("Tide pools");
  });

  it("removes an unnamed site's suffix when the headline shows where the title ends", () => {
    expect(cleanTitle({ title: "Why Tide Pools Matter | Coastal Notes", ogTitle: "Why Tide Pools Matter" })).toBe(
      "Why Tide Pools Matter",
    );
  });

  it("keeps a title as written when there is nothing to remove (non-breaking, ideographic and double spaces)", () => {
    for (const title of ["Screenshot\u00a0: «Tide»", "欲張りなイヌ\u3000＜童話集＞", "Review:  a console"])
      expect(cleanTitle({ title, siteName: "Coastal Notes" })).toBe(title);
    expect(cleanTitle({ title: "  Why Tide Pools Matter \n" })).toBe("Why Tide Pools Matter");
  });

  it("takes linear time on hostile titles", () => {
    const hostile = `${"| ".repeat(200_000)}x`;
    expect(
      cleanTitle({ title: hostile, siteName: "x", headline: hostile.slice(1), ogTitle: "y" }).length,
    ).toBeGreaterThan(0);
  });
});
