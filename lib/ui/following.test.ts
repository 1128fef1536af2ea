import { describe, expect, it } from "vitest";
import { canSummarize, itemState, lastPollText } from "./following";

describe("following view", () => {
  it("says what the last poll found", () => {
    const at = "2026-12-07T10:00:00.000Z";
    expect(lastPollText({ lastPoll: null })).toBe("Not polled yet");
    expect(lastPollText({ lastPoll: { at, outcome: "ok", found: 12, added: 2, queued: 2 } })).toBe(
      "Last poll: 12 found, 2 new, 2 queued",
    );
    expect(lastPollText({ lastPoll: { at, outcome: "not_modified", found: 0, added: 0, queued: 0 } })).toBe(
      "Last poll: not modified",
    );
    expect(
      lastPollText({
        lastPoll: { at, outcome: "error", found: 0, added: 0, queued: 0, reason: "timeout", message: "No answer" },
      }),
    ).toBe("Last poll failed: No answer");
  });

  it("tells summarized, in progress, failed, skipped and waiting items apart; only skipped and failed can be sent", () => {
    expect(itemState({ status: "queued", jobStatus: "completed", articleId: "a" })).toBe("summarized");
    expect(itemState({ status: "queued", jobStatus: "running", articleId: null })).toBe("in progress");
    expect(itemState({ status: "queued", jobStatus: "failed", articleId: null })).toBe("failed");
    expect(itemState({ status: "failed", jobStatus: null, articleId: null })).toBe("failed");
    expect(itemState({ status: "skipped", jobStatus: null, articleId: null })).toBe("skipped");
    expect(itemState({ status: "pending", jobStatus: null, articleId: null })).toBe("waiting");
    expect(
      ["summarized", "in progress", "failed", "skipped", "waiting"].filter((s) => canSummarize(s as never)),
    ).toEqual(["failed", "skipped"]);
  });
});
