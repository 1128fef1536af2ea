import { describe, expect, it } from "vitest";
import { createMemoryKv } from "./memory-kv";
import { createEventStream, parseLastEventId } from "./relay";

const request = (query = "", headers: Record<string, string> = {}) =>
  new Request(`https://app.example/api/jobs/j1/events${query}`, { headers });

describe("parseLastEventId: where a stream resumes", () => {
  it("takes the browser's Last-Event-ID over ?after=, and ?after= on a first connection", () => {
    expect(parseLastEventId(request("?after=3", { "Last-Event-ID": "7" }))).toBe(7);
    expect(parseLastEventId(request("?after=3"))).toBe(3);
    expect(parseLastEventId(request())).toBe(0);
  });

  it("replays from the start for an id that is not a positive number, instead of failing or skipping", () => {
    for (const id of ["abc", "-4", "0", "", "NaN", "Infinity"]) {
      expect(parseLastEventId(request("", { "Last-Event-ID": id }))).toBe(0);
    }
    // ?after= is typed by a person or a script: not a whole number is a named 400 (tests/security/malformed-input).
    expect(() => parseLastEventId(request("?after=-2"))).toThrow(expect.objectContaining({ reason: "invalid_body" }));
  });
});

describe("a stream does not survive a sign-out (issue 24)", () => {
  it("ends at the first heartbeat after its credentials stop being valid, not at its lifetime cap", async () => {
    let checks = 0;
    const stream = createEventStream({
      kv: createMemoryKv(),
      jobId: "j1",
      after: 0,
      heartbeatMs: 50,
      // Far longer than the test's own timeout: only the heartbeat's check can end this stream in time.
      maxLifetimeMs: 120_000,
      stillAuthorized: async () => ++checks < 3,
    });
    const text = await new Response(stream).text();
    expect(checks).toBe(3);
    expect(text.match(/: heartbeat/g)).toHaveLength(2);
  });
});
