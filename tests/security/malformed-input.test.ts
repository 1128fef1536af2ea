import { describe, expect, it } from "vitest";
import type { Fetched } from "@/lib/domain";
import { dayParam, enumParam, intParam } from "@/lib/http/request-guard";
import { createLogger } from "@/lib/log";
import { fileNameFromUrl } from "@/lib/net/canonical-url";
import { detectStage } from "@/lib/pipeline/detect-media";
import { extractStage } from "@/lib/pipeline/extract";
import { jobStatusSchema } from "@/lib/progress/events";
import type { ProgressKv } from "@/lib/progress/kv";
import { createEventStream, parseLastEventId } from "@/lib/progress/relay";
import { searchPage } from "@/lib/store/rows";
import { testReader } from "../helpers/pipeline-fixtures";

const FEED_URL = "https://feeds.podcast.example/show.xml";
const feed = (link: string) => `<?xml version="1.0"?><rss version="2.0"><channel><title>Show</title>
  <item><title>Episode 2</title><guid>ep-2</guid><link>${link}</link><description>&lt;p&gt;Notes&lt;/p&gt;</description>
  <enclosure url="https://cdn.podcast.example/ep2.mp3" type="audio/mpeg" length="1"/></item>
  <item><title>Episode 1</title><guid>ep-1</guid><enclosure url="https://cdn.podcast.example/ep1.mp3" type="audio/mpeg"/></item>
</channel></rss>`;
const fetchedFeed = (link: string, requested = FEED_URL): Fetched => ({
  requestedUrl: requested,
  finalUrl: FEED_URL,
  status: 200,
  contentType: "application/rss+xml",
  kind: "feed",
  body: feed(link),
  contentLength: null,
  redirects: [FEED_URL],
});
const noFetch = async () => {
  throw new Error("no network in this test");
};
const reader = testReader;
const deps = { fetch: noFetch, reader, logger: createLogger({ level: "error" }) };

async function feedArticle(link: string, requested?: string) {
  const fetched = fetchedFeed(link, requested);
  const detected = await detectStage(fetched, deps);
  return extractStage(fetched, detected, { reader });
}

describe("malformed input from fetched content is a value or a named failure, never a crash", () => {
  it("a bad percent-escape in a feed #guid picks the newest episode", async () => {
    for (const hash of ["%E0%A4%A", "%", "%zz", "ep-1%"]) {
      const detected = await detectStage(fetchedFeed("https://feeds.podcast.example/ep2", `${FEED_URL}#${hash}`), deps);
      expect(detected.feedItem?.title).toBe("Episode 2");
    }
    const named = await detectStage(fetchedFeed("x", `${FEED_URL}#ep-1`), deps);
    expect(named.feedItem?.title).toBe("Episode 1");
  });

  it("a feed <link> that is not a URL is no link", async () => {
    for (const link of ["http://[", "http://a b/", "javascript:alert(1)", "http://%zz/"]) {
      const article = await feedArticle(link);
      expect(article.canonicalUrl.startsWith(`${FEED_URL}#`)).toBe(true);
    }
  });

  it("a media path with a stray % names the file as written", () => {
    expect(fileNameFromUrl("https://cdn.example/a%zz%.mp3", "x")).toBe("a%zz%.mp3");
  });
});

describe("one canonical-URL trust rule for every source (finding 4)", () => {
  it("a feed item cannot claim another site's article as its identity", async () => {
    const article = await feedArticle("https://news.victim.example/stories/real-article");
    expect(article.canonicalUrl).not.toContain("victim.example");
    expect(article.canonicalUrl.startsWith(`${FEED_URL}#`)).toBe(true);
  });

  it("a feed item's link on the fetched host but another path is not its identity either (issue 24)", async () => {
    const article = await feedArticle("https://feeds.podcast.example/episodes/2?utm_source=rss");
    expect(article.canonicalUrl.startsWith(`${FEED_URL}#`)).toBe(true);
  });
});

describe("malformed query parameters are named 400s", () => {
  const params = (query: string) => new URLSearchParams(query);
  it.each(["limit=-1", "limit=0", "limit=201", "limit=abc", "limit=1e3", "limit=1.5", "limit=99999999999999"])(
    "?%s",
    (query) => {
      expect(() => intParam(params(query), "limit", 50, 1, 200)).toThrow(
        expect.objectContaining({ reason: "invalid_body" }),
      );
    },
  );

  it("?status=nope, and the valid forms", () => {
    expect(() => enumParam(params("status=nope"), "status", jobStatusSchema.options)).toThrow(
      expect.objectContaining({ reason: "invalid_body" }),
    );
    expect(enumParam(params("status=failed"), "status", jobStatusSchema.options)).toBe("failed");
    expect(intParam(params(""), "limit", 50, 1, 200)).toBe(50);
    expect(intParam(params("limit=200"), "limit", 50, 1, 200)).toBe(200);
  });

  it.each(["2024-13-45", "2024-02-30", "0000-01-01", "2024-2-3", "yesterday"])("?from=%s", (day) => {
    expect(() => dayParam(params(`from=${day}`), "from")).toThrow(expect.objectContaining({ reason: "invalid_body" }));
  });

  it("days that exist pass as written", () => {
    expect(dayParam(params("to=2024-02-29"), "to")).toBe("2024-02-29");
    expect(dayParam(params("to=0001-01-01"), "to")).toBe("0001-01-01");
    expect(dayParam(params(""), "to")).toBeUndefined();
  });

  it("?after= is clamped to the safe integer range, and a non-number is a named 400", () => {
    const events = (query: string, headers: Record<string, string> = {}) =>
      new Request(`http://127.0.0.1:3000/api/jobs/j/events${query}`, { headers });
    expect(parseLastEventId(events("?after=99999999999999999999"))).toBe(Number.MAX_SAFE_INTEGER);
    expect(parseLastEventId(events("?after=12"))).toBe(12);
    expect(() => parseLastEventId(events("?after=-1"))).toThrow(expect.objectContaining({ reason: "invalid_body" }));
    expect(() => parseLastEventId(events("?after=1e3"))).toThrow(expect.objectContaining({ reason: "invalid_body" }));
    // A browser's reconnect header that is not a number starts over rather than failing the stream.
    expect(parseLastEventId(events("", { "last-event-id": "garbage" }))).toBe(0);
  });

  it("a backend's error text never reaches the event stream", async () => {
    const failing = {
      readAfter: async () => {
        throw new Error("ERR value is not an integer or out of range");
      },
    } as unknown as ProgressKv;
    const reported: unknown[] = [];
    const stream = createEventStream({ kv: failing, jobId: "j", after: 0, onError: (e) => reported.push(e) });
    const text = await new Response(stream).text();
    expect(text).toContain("event: relay.error");
    expect(text).not.toContain("ERR value");
    expect(reported).toHaveLength(1);
  });

  it("a crafted search cursor never reaches the database", async () => {
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const uuid = "0b3f8a4e-1c2d-4e5f-8a9b-0c1d2e3f4a5b";
    let queried = 0;
    const query = async () => {
      queried++;
      return [];
    };
    for (const cursor of [
      "!!!",
      b64({}),
      b64(["not a date", uuid]),
      b64([1, "not-a-uuid"]),
      b64([null, uuid]),
      b64(["2026-01-01", uuid, 3]),
      "A".repeat(100_000),
    ]) {
      await expect(searchPage({ cursor }, query)).rejects.toMatchObject({ reason: "invalid_body" });
    }
    expect(queried).toBe(0);
    await searchPage({ cursor: b64(["2026-11-26T00:00:00.123456+00:00", uuid]) }, query);
    expect(queried).toBe(1);
  });
});
