import { describe, expect, it } from "vitest";
import { parseTags } from "./formats";
import { MAX_IMPORT_BYTES, MAX_IMPORT_RECORDS, MAX_IMPORT_URLS, parseImport } from "./parse";

const encoder = new TextEncoder();

/** A body streamed in chunks, as a request's is; `chunks` may be lazy (a generator) so a huge file is never built. */
function streamOf(chunks: Iterable<string | Uint8Array>): ReadableStream<Uint8Array> {
  const iterator = chunks[Symbol.iterator]();
  return new ReadableStream({
    pull(controller) {
      const next = iterator.next();
      if (next.done) controller.close();
      else controller.enqueue(typeof next.value === "string" ? encoder.encode(next.value) : next.value);
    },
  });
}

const parse = (text: string, hints = {}) => parseImport(streamOf([text]), hints);

const POCKET_HTML = `<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset=UTF-8" /><title>Pocket Export</title></head>
<body>
<h1>Unread</h1>
<ul>
<li><a href="https://a.example/one?x=1&amp;y=2" time_added="1590000000" tags="news,long read">One &amp; only</a></li>
<li><a href="https://b.example/two" time_added="1600000000" tags="">Two</a></li>
</ul>
<h1>Read Archive</h1>
<ul>
<li><a href="https://c.example/three" time_added="1610000000" tags="done">Three</a></li>
</ul>
</body></html>`;

describe("export formats", () => {
  it("reads a Pocket HTML export: tags, saved dates, and the Read Archive section as archived", async () => {
    const parsed = await parse(POCKET_HTML);
    expect(parsed.format).toBe("pocket-html");
    expect(parsed.entries).toEqual([
      {
        url: "https://a.example/one?x=1&y=2",
        title: "One & only",
        tags: ["news", "long read"],
        savedAt: "2020-05-20T18:40:00.000Z",
        state: "inbox",
      },
      { url: "https://b.example/two", title: "Two", tags: [], savedAt: "2020-09-13T12:26:40.000Z", state: "inbox" },
      {
        url: "https://c.example/three",
        title: "Three",
        tags: ["done"],
        savedAt: "2021-01-07T06:13:20.000Z",
        state: "archived",
      },
    ]);
  });

  it("reads Pocket's CSV export (pipe-separated tags, status)", async () => {
    const parsed = await parse(
      'title,url,time_added,cursor,tags,status\n"A, quoted ""title""",https://a.example/1,1590000000,x,news|tech,archive\nB,https://b.example/2,1600000000,y,,unread\n',
    );
    expect(parsed.format).toBe("pocket-csv");
    expect(parsed.entries.map((e) => [e.url, e.title, e.tags, e.state])).toEqual([
      ["https://a.example/1", 'A, quoted "title"', ["news", "tech"], "archived"],
      ["https://b.example/2", "B", [], "inbox"],
    ]);
  });

  it("reads an Instapaper CSV (Folder Archive = archived)", async () => {
    const parsed = await parse(
      'URL,Title,Selection,Folder,Timestamp,Tags\r\nhttps://i.example/1,One,,Unread,1590000000,"[""a"",""b""]"\r\nhttps://i.example/2,Two,,Archive,1600000000,[]\r\n',
    );
    expect(parsed.format).toBe("instapaper");
    expect(parsed.entries.map((e) => [e.url, e.tags, e.state, e.savedAt])).toEqual([
      ["https://i.example/1", ["a", "b"], "inbox", "2020-05-20T18:40:00.000Z"],
      ["https://i.example/2", [], "archived", "2020-09-13T12:26:40.000Z"],
    ]);
  });

  it("reads a Readwise Reader CSV (Python-list tags, Location archive)", async () => {
    const parsed = await parse(
      "Title,URL,ID,Document tags,Saved date,Reading progress,Location,Seen\nR,https://r.example/1,01h,\"['deep work', 'ai']\",2023-10-12 14:23:44+00:00,0.5,archive,True\n",
    );
    expect(parsed.format).toBe("readwise");
    expect(parsed.entries[0]).toMatchObject({
      url: "https://r.example/1",
      tags: ["deep work", "ai"],
      savedAt: "2023-10-12T14:23:44.000Z",
      state: "archived",
    });
  });

  it("reads an Omnivore JSON export (labels, savedAt, state Archived) and its CSV", async () => {
    const json = await parse(
      JSON.stringify([
        {
          id: "1",
          title: "O",
          url: "https://o.example/1",
          state: "Archived",
          labels: ["x", { name: "y" }],
          savedAt: "2024-01-02T03:04:05Z",
        },
        { id: "2", url: "https://o.example/2", state: "Succeeded", labels: [] },
        { id: "3", title: "no url" },
      ]),
    );
    expect(json.format).toBe("omnivore");
    expect(json.entries).toEqual([
      {
        url: "https://o.example/1",
        title: "O",
        tags: ["x", "y"],
        savedAt: "2024-01-02T03:04:05.000Z",
        state: "archived",
      },
      { url: "https://o.example/2", title: undefined, tags: [], savedAt: undefined, state: "inbox" },
    ]);
    const csv = await parse('id,title,url,state,labels,savedAt\n1,O,https://o.example/1,Archived,"x,y",2024-01-02\n');
    expect(csv.format).toBe("omnivore");
    expect(csv.entries[0]).toMatchObject({ tags: ["x", "y"], state: "archived" });
  });

  it("reads a plain list of URLs (comments and blank lines skipped)", async () => {
    const parsed = await parse(
      "# my list\nhttps://u.example/1\n\n  https://u.example/2  trailing words\r\nnot a url\n",
    );
    expect(parsed.format).toBe("urls");
    expect(parsed.entries.map((e) => e.url)).toEqual(["https://u.example/1", "https://u.example/2", "not"]);
  });

  it("uses the file name when the content alone does not say (a .csv without a URL header)", async () => {
    const parsed = await parse("https://h.example/1,first\nhttps://h.example/2,second\n", { filename: "list.csv" });
    expect(parsed.format).toBe("csv");
    expect(parsed.entries.map((e) => e.url)).toEqual(["https://h.example/1", "https://h.example/2"]);
  });

  it("reads a file split anywhere: across chunks, inside a quoted field, between \\r and \\n, inside a UTF-8 character", async () => {
    const text = 'url,title\r\nhttps://s.example/1,"multi\r\nline, ""quoted"" é"\r\nhttps://s.example/2,plain\r\n';
    const bytes = encoder.encode(text);
    for (let size = 1; size <= 7; size++) {
      const chunks: Uint8Array[] = [];
      for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
      const parsed = await parseImport(streamOf(chunks));
      expect(parsed.entries.map((e) => [e.url, e.title])).toEqual([
        ["https://s.example/1", 'multi line, "quoted" é'],
        ["https://s.example/2", "plain"],
      ]);
    }
  });

  it("parses tags as each export writes them", () => {
    expect(parseTags('["a","b"]')).toEqual(["a", "b"]);
    expect(parseTags("['a', \"b c\"]")).toEqual(["a", "b c"]);
    expect(parseTags("a|b|a")).toEqual(["a", "b"]);
    expect(parseTags("a, b")).toEqual(["a", "b"]);
    expect(parseTags("")).toEqual([]);
  });
});

describe("hostile files: a named refusal, quickly, never a crash", () => {
  it.each([
    ["with a URL on every row", (i: number) => `https://r.example/${i},t\n`],
    ["of empty rows", () => ",\n"],
  ])("a CSV of 10 million rows %s is refused after its first records, without reading the rest", async (_name, row) => {
    let produced = 0;
    function* rows() {
      yield "url,title\n";
      for (let i = 0; i < 10_000_000; i += 1_000) {
        produced += 1_000;
        yield Array.from({ length: 1_000 }, (_, k) => row(i + k)).join("");
      }
    }
    await expect(parseImport(streamOf(rows()))).rejects.toMatchObject({ reason: "invalid_body" });
    // Refused at the URL or record count, long before the 10 millionth row.
    expect(produced).toBeLessThanOrEqual(MAX_IMPORT_RECORDS + 2_000);
  });

  it("a file over the byte cap is refused while it streams", async () => {
    let produced = 0;
    function* junk() {
      for (;;) {
        produced += 1;
        yield `${"x".repeat(65_535)}\n`;
      }
    }
    await expect(parseImport(streamOf(junk()), { maxBytes: 1024 * 1024 })).rejects.toMatchObject({
      reason: "too_large",
    });
    expect(produced).toBeLessThanOrEqual(20);
    expect(MAX_IMPORT_BYTES).toBe(10 * 1024 * 1024);
  });

  it("more than 5,000 URLs is refused with a message that says to split the file", async () => {
    const list = Array.from({ length: MAX_IMPORT_URLS + 1 }, (_, i) => `https://m.example/${i}`).join("\n");
    await expect(parse(list)).rejects.toMatchObject({
      reason: "invalid_body",
      message: expect.stringMatching(/split/),
    });
    await expect(parse(list.split("\n").slice(0, MAX_IMPORT_URLS).join("\n"))).resolves.toMatchObject({
      entries: expect.any(Array),
    });
  });

  it.each([
    ["an unclosed quote", 'url,title\nhttps://q.example/1,"never closed\n'.padEnd(200, "x")],
    [
      "an unclosed quote swallowing a huge field",
      `url,title\nhttps://q.example/1,"${"y".repeat(200_000)}`,
      /over 65536/,
    ],
    ["a row of thousands of columns", `url,title\n${",".repeat(10_000)}\n`],
    ["an unclosed HTML attribute", `<!DOCTYPE html><a href="${"z".repeat(200_000)}`, /unclosed quote/],
    ["HTML made only of tags", `<html>${"<b>".repeat(300_000)}`, /tags of HTML/],
    ["a URL list with a megabyte line", `https://l.example/1\n${"w".repeat(1_000_000)}\n`],
    ["JSON that does not parse", '[{"url": "https://j.example/1"'],
    ["JSON without a list", '{"hello": "world"}'],
    ["an empty file", ""],
    ["a file with no URL", "url,title\n,,\n"],
  ] as [string, string, RegExp?][])("%s → invalid_body", async (_name, text, message = /./) => {
    await expect(parse(text)).rejects.toMatchObject({
      reason: "invalid_body",
      message: expect.stringMatching(message),
    });
  });

  it("binary junk, a ZIP archive, gzip and non-UTF-8 text are refused by name", async () => {
    const random = new Uint8Array(200_000);
    for (let i = 0; i < random.length; i++) random[i] = (i * 2_654_435_761) >>> 24;
    const cases: [Uint8Array, RegExp][] = [
      [random, /binary|UTF-8/],
      [new Uint8Array([0x50, 0x4b, 3, 4, 1, 2, 3]), /ZIP/],
      [new Uint8Array([0x1f, 0x8b, 8, 0]), /gzip/],
      [new Uint8Array([...encoder.encode("url\nhttps://x.example/caf"), 0xe9, 10]), /UTF-8/],
      [encoder.encode("url\nhttps://x.example/\u0000\n"), /binary/],
    ];
    for (const [bytes, message] of cases) {
      await expect(parseImport(streamOf([bytes]))).rejects.toMatchObject({
        reason: "invalid_body",
        message: expect.stringMatching(message),
      });
    }
  });

  it("deeply nested JSON is refused, not a stack overflow", async () => {
    await expect(parse(`${"[".repeat(1_000_000)}${"]".repeat(1_000_000)}`)).rejects.toMatchObject({
      reason: "invalid_body",
      message: expect.stringMatching(/nests deeper/),
    });
  });
});
