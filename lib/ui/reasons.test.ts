import { describe, expect, it } from "vitest";
import { isPermanentFailure, planRetry, retryQuestion } from "./reasons";

describe("bulk retry", () => {
  it("splits the chosen jobs by the step's own word, else the reason's default", () => {
    const plan = planRetry([
      { id: "a", reason: "http_error", retriable: false },
      { id: "b", reason: "http_error" },
      { id: "c", reason: "not_an_article" },
      { id: "d", reason: "cancelled" },
      { id: "e", reason: "summarization_failed", retriable: false },
    ]);
    expect(plan).toEqual({ permanent: ["a", "c", "e"], retriable: ["b", "d"] });
    expect(isPermanentFailure({ reason: "not_an_article", retriable: true })).toBe(false);
  });

  it("says how many of the chosen failures are permanent", () => {
    expect(retryQuestion({ permanent: ["a"], retriable: ["b", "c"] })).toBe(
      "1 of these 3 failures is permanent: a retry will most likely stop the same way.",
    );
    expect(retryQuestion({ permanent: ["a", "b"], retriable: ["c"] })).toBe(
      "2 of these 3 failures are permanent: a retry will most likely stop the same way.",
    );
    expect(retryQuestion({ permanent: ["a", "b"], retriable: [] })).toBe(
      "All 2 of these failures are permanent: a retry will most likely stop the same way.",
    );
    expect(retryQuestion({ permanent: ["a"], retriable: [] })).toBe(
      "This failure is permanent: a retry will most likely stop the same way.",
    );
  });
});
