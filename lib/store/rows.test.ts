import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  type JobRow,
  jobFromRow,
  libraryArgs,
  libraryPageFromJson,
  type SearchArgs,
  type SearchRow,
  searchPage,
} from "./rows";

/** search_articles() as a list: rows after the cursor's (rank or time, id), at most `limit`. */
function fakeSearch(rows: SearchRow[]) {
  const calls: SearchArgs[] = [];
  const query = async (args: SearchArgs) => {
    calls.push(args);
    const start = args.afterId ? rows.findIndex((r) => r.id === args.afterId) + 1 : 0;
    return rows.slice(start, start + args.limit);
  };
  return { calls, query };
}

const day = (n: number) => new Date(Date.UTC(2026, 0, 30 - n));
const row = (n: number): SearchRow => ({
  id: randomUUID(),
  url: `https://news.example/${n}`,
  title: `Story ${n}`,
  site_name: "News",
  tldr: null,
  tags: [],
  snippet: null,
  rank: 1 / (n + 1),
  created_at: day(n),
});
const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

describe("searchPage: page size and the opaque cursor", () => {
  it("asks for one row more than the page to know whether a next page exists, within 1…100 rows", async () => {
    const rows = Array.from({ length: 150 }, (_, n) => row(n));
    const search = fakeSearch(rows);
    expect((await searchPage({}, search.query)).items).toHaveLength(20);
    expect((await searchPage({ limit: 0 }, search.query)).items).toHaveLength(1);
    expect((await searchPage({ limit: 1_000 }, search.query)).items).toHaveLength(100);
    expect(search.calls.map((c) => c.limit)).toEqual([21, 2, 101]);
    const last = await searchPage({ limit: 150 }, search.query);
    expect(last.items).toHaveLength(100);
    expect((await searchPage({ limit: 3 }, fakeSearch(rows.slice(0, 3)).query)).nextCursor).toBeUndefined();
  });

  it("walks every row once, by rank when searching and by time when listing", async () => {
    const rows = Array.from({ length: 5 }, (_, n) => row(n));
    for (const q of ["  seals ", undefined]) {
      const search = fakeSearch(rows);
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await searchPage({ q, limit: 2, cursor }, search.query);
        seen.push(...page.items.map((i) => i.title));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toEqual(rows.map((r) => r.title));
      const resumed = search.calls[1];
      expect(resumed?.afterId).toBe(rows[1]?.id);
      if (q) {
        expect(search.calls[0]?.q).toBe("seals");
        expect(resumed).toMatchObject({ afterRank: rows[1]?.rank, afterCreated: null });
      } else {
        expect(search.calls[0]?.q).toBeNull();
        expect(resumed).toMatchObject({ afterRank: null, afterCreated: day(1).toISOString() });
      }
    }
    // A blank query lists, as no query does.
    const blank = fakeSearch(rows);
    await searchPage({ q: "   " }, blank.query);
    expect(blank.calls[0]?.q).toBeNull();
  });

  it("refuses a cursor it did not write as invalid_body, before any query", async () => {
    const id = randomUUID();
    const crafted = [
      "garbage!",
      encode({ rank: 1, id }),
      encode([1]),
      encode([1, id, 3]),
      encode([1, "not-a-uuid"]),
      encode([1, `${id}x`]),
      encode([1, `x${id}`]),
      encode([null, id]),
      encode(["yesterday", id]),
      encode([`2026-01-01T00:00:00.000Z${" ".repeat(40)}`, id]),
      encode([true, id]),
    ];
    for (const cursor of crafted) {
      const search = fakeSearch([]);
      await expect(searchPage({ cursor }, search.query)).rejects.toMatchObject({ reason: "invalid_body" });
      expect(search.calls).toEqual([]);
    }
    const search = fakeSearch([]);
    await searchPage({ cursor: encode(["2026-01-01T00:00:00.000Z", id]) }, search.query);
    await searchPage({ cursor: encode([0.25, id]) }, search.query);
    expect(search.calls.map((c) => [c.afterRank, c.afterCreated, c.afterId])).toEqual([
      [null, "2026-01-01T00:00:00.000Z", id],
      [0.25, null, id],
    ]);
  });
});

describe("libraryArgs: the library filters sent to the database", () => {
  it("sends only the filters that are set, trimmed and capped, and drops a day that is not YYYY-MM-DD", () => {
    expect(libraryArgs({})).toEqual({});
    expect(
      libraryArgs({
        q: `  ${"q".repeat(600)} `,
        kind: "podcast",
        tag: `  ${"t".repeat(150)}`,
        site: "s".repeat(300),
        from: "2026-01-02",
        to: "02/03/2026",
        sort: "relevance",
        limit: 10,
        offset: 0,
      }),
    ).toEqual({
      q: "q".repeat(500),
      kind: "podcast",
      tag: "t".repeat(100),
      site: "s".repeat(200),
      from: "2026-01-02",
      sort: "relevance",
      limit: 10,
      offset: 0,
    });
    expect(libraryArgs({ q: "   ", tag: "", site: "", to: "2026-1-2" })).toEqual({ site: "" });
    expect(libraryArgs({ from: "x2026-01-02", to: "2026-01-02x" })).toEqual({});
    expect(libraryArgs({ q: "caf\u0000é" })).toEqual({ q: "café" });
  });
});

describe("rows read back", () => {
  it("reads a failure reason this code does not know as internal", () => {
    const base: JobRow = {
      id: "j",
      url: "https://news.example/a",
      canonical_url: "https://news.example/a",
      status: "failed",
      step: null,
      reason: "reason_from_a_newer_version",
      message: null,
      article_id: null,
      force: false,
      attempts: 1,
      run_id: null,
      kind: "article",
      lang: null,
      model: null,
      steps: {},
      dismissed_at: null,
      cost_usd: "0.25",
      run_token: null,
      created_at: "2026-01-01T00:00:00Z",
      updated_at: new Date("2026-01-01T00:00:01Z"),
    };
    expect(jobFromRow(base)).toMatchObject({
      reason: "internal",
      costUsd: 0.25,
      createdAt: "2026-01-01T00:00:00.000Z",
      updatedAt: "2026-01-01T00:00:01.000Z",
    });
    expect(jobFromRow({ ...base, reason: "http_error", cost_usd: null })).toMatchObject({
      reason: "http_error",
      costUsd: null,
    });
  });

  it("validates the library page library_browse() returns", () => {
    expect(() => libraryPageFromJson(null)).toThrow(/no page/);
    expect(() => libraryPageFromJson({ total: 1 })).toThrow(/no page/);
    const page = libraryPageFromJson(
      JSON.stringify({ total: "2", items: [{ id: "a", createdAt: "2026-01-01T00:00:00Z" }], facets: null }),
    );
    expect(page).toEqual({
      total: 2,
      items: [{ id: "a", createdAt: "2026-01-01T00:00:00.000Z", tags: [] }],
      facets: { kind: {}, tag: [], site: [] },
    });
  });
});
