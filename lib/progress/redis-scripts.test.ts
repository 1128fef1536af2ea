import { describe, expect, it } from "vitest";
import { keyScheme, parseNotification } from "./redis-scripts";

const event = { jobId: "j1", at: 1, type: "step.started", step: "fetch" };

describe("parseNotification: what an append announces to subscribers", () => {
  it("carries the event with the seq the append assigned", () => {
    expect(parseNotification(`5 ${JSON.stringify(event)}`)).toEqual({ seq: 5, event: { ...event, seq: 5 } });
  });

  it("says only that a seq exists when the event is not carried or cannot be trusted", () => {
    // An event over PUSH_MAX_BYTES is announced by its seq alone.
    expect(parseNotification("12")).toEqual({ seq: 12 });
    expect(parseNotification("7 {not json")).toEqual({ seq: 7 });
    expect(parseNotification(`7 ${JSON.stringify({ ...event, type: "no.such.type" })}`)).toEqual({ seq: 7 });
  });

  it("ignores anything that is not a notification", () => {
    for (const message of ["", "abc", "0", "-3", "1.5", "x {}", `${Number.MAX_SAFE_INTEGER + 2}`]) {
      expect(parseNotification(message)).toBeNull();
    }
  });
});

describe("keyScheme", () => {
  it("gives each job its own log, snapshot and channel, under the prefix", () => {
    const keys = keyScheme();
    const all = ["a", "b"].flatMap((job) => [keys.events(job), keys.snapshot(job), keys.channel(job)]);
    expect(new Set(all).size).toBe(6);
    expect(all.every((key) => key.startsWith("progress:"))).toBe(true);
    expect(keyScheme("test-1").channel("a").startsWith("test-1:")).toBe(true);
  });
});
