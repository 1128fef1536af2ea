import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DELETE as deleteHighlightRoute } from "@/app/api/articles/[id]/highlights/[highlightId]/route";
import { GET as listHighlightsRoute, POST as postHighlight } from "@/app/api/articles/[id]/highlights/route";
import { DELETE as deleteArticleRoute, GET as getArticleRoute, PATCH } from "@/app/api/articles/[id]/route";
import { GET as listArticles } from "@/app/api/articles/route";
import type { Article, Highlight } from "@/lib/domain";
import { parseConfig } from "@/lib/env";
import { getServices, resetServicesForTesting } from "@/lib/services";
import { article } from "./store-fixtures";

/** The reader's API through the real route handlers: auth, Origin, named 400s, and what each call changes. */

const TOKEN = "t".repeat(40);
const ORIGIN = "http://127.0.0.1:3000";

function request(
  method: string,
  pathname: string,
  body?: unknown,
  headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` },
): Request {
  return new Request(`${ORIGIN}${pathname}`, {
    method,
    headers: {
      host: "127.0.0.1:3000",
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

const ctx = <P>(params: P) => ({ params: Promise.resolve(params) });
const errorOf = async (response: Response) =>
  ((await response.json()) as { error: { reason: string; message: string } }).error;

describe("reader workflow routes", () => {
  let saved: Article;

  beforeAll(async () => {
    resetServicesForTesting(parseConfig({ PGLITE_DIR: "memory://", PIPELINE_RUNNER: "inline", ADMIN_TOKEN: TOKEN }));
    const { store } = await getServices();
    saved = await store.upsertArticle(
      article({
        text: "When the paper mill closed,\nthe library moved into the old mill office.",
        media: [{ kind: "audio", url: "https://cdn.example/ep1.mp3" }],
        transcript: {
          source: "openai",
          text: "Welcome back. Today the keeper lights the lamp.",
          segments: [
            { start: 0, end: 4, text: "Welcome back." },
            { start: 42.5, end: 47, text: "Today the keeper lights the lamp." },
          ],
        },
      }),
    );
    // Migrating a fresh PGlite takes tens of seconds on a busy 2-core machine.
  }, 180_000);
  afterAll(async () => {
    await (await getServices()).store.close();
    resetServicesForTesting();
  });

  const patch = (body: unknown, headers?: Record<string, string>) =>
    PATCH(request("PATCH", `/api/articles/${saved.id}`, body, headers), ctx({ id: saved.id }));

  it("refuses a patch without credentials, and a cross-site one even with them", async () => {
    expect((await patch({ read: true }, {})).status).toBe(401);
    const crossSite = await patch({ read: true }, { authorization: `Bearer ${TOKEN}`, origin: "https://evil.example" });
    expect(crossSite.status).toBe(401);
    const { store } = await getServices();
    expect((await store.getArticle(saved.id))?.read).toBe(false);
  });

  it("answers a bad patch with a named 400 that says which field", async () => {
    for (const [body, field] of [
      [{ state: "deleted" }, "state"],
      [{ read: "yes" }, "read"],
      [{ title: "   " }, "title"],
      [{ tags: ["a".repeat(61)] }, "tags.0"],
      [{ position: { fraction: 1.5 } }, "position.fraction"],
      [{ colour: "red" }, ""],
      [{}, ""],
    ] as const) {
      const response = await patch(body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      const error = await errorOf(response);
      expect(error.reason).toBe("invalid_body");
      if (field) expect(error.message.startsWith(`${field}:`), error.message).toBe(true);
    }
    const text = await PATCH(
      request("PATCH", `/api/articles/${saved.id}`, undefined, {
        authorization: `Bearer ${TOKEN}`,
        "content-type": "text/plain",
      }),
      ctx({ id: saved.id }),
    );
    expect(text.status).toBe(400);
  });

  it("patches triage, title, tags, note and position; 404 for an unknown article", async () => {
    const response = await patch({
      state: "archived",
      favorite: true,
      title: "Mill towns",
      tags: ["#Mills", "mills", " Towns "],
      note: "Read again",
      position: { fraction: 0.25 },
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Article;
    expect(body).toMatchObject({
      id: saved.id,
      state: "archived",
      favorite: true,
      read: false,
      title: "Mill towns",
      note: "Read again",
      position: { fraction: 0.25, seconds: null },
    });
    expect(body.summary.tags).toEqual(["mills", "towns"]);
    const missing = "00000000-0000-4000-8000-000000000000";
    const unknown = await PATCH(request("PATCH", `/api/articles/${missing}`, { read: true }), ctx({ id: missing }));
    expect(unknown.status).toBe(404);
  });

  it("filters the library by state, favourite and read, with the other filters; refuses unknown values", async () => {
    const list = async (query: string) => {
      const response = await listArticles(request("GET", `/api/articles?${query}`), ctx({}));
      return { status: response.status, body: (await response.json()) as { items?: { id: string }[] } };
    };
    expect((await list("state=archived&favorite=true&read=false&tag=mills")).body.items?.map((i) => i.id)).toEqual([
      saved.id,
    ]);
    expect((await list("state=archived&read=true")).body.items).toEqual([]);
    expect((await list("state=inbox")).body.items?.map((i) => i.id)).not.toContain(saved.id);
    expect((await list("state=all")).body.items?.map((i) => i.id)).toContain(saved.id);
    for (const bad of ["state=deleted", "favorite=1", "read=maybe"]) {
      const { status } = await list(bad);
      expect(status, bad).toBe(400);
    }
  });

  it("keeps highlights only of verbatim quotes; a transcript highlight keeps its time; all are exported", async () => {
    const post = (body: unknown) =>
      postHighlight(request("POST", `/api/articles/${saved.id}/highlights`, body), ctx({ id: saved.id }));
    const invented = await post({ quote: "the library burned down" });
    expect(invented.status).toBe(400);
    expect((await errorOf(invented)).reason).toBe("quote_not_found");
    expect((await post({ quote: "" })).status).toBe(400);
    expect((await post({ quote: 42 })).status).toBe(400);

    // A selection across the line break reads as a space in the browser.
    const fromText = await post({ quote: "paper mill closed, the library", note: "the turning point" });
    expect(fromText.status).toBe(201);
    const textHighlight = (await fromText.json()) as Highlight;
    expect(textHighlight).toMatchObject({ source: "text", offset: 9, startSec: null, note: "the turning point" });

    const fromTranscript = await post({ quote: "keeper lights the lamp" });
    expect(fromTranscript.status).toBe(201);
    expect(await fromTranscript.json()).toMatchObject({ source: "transcript", startSec: 42.5, note: null });

    const listed = await listHighlightsRoute(
      request("GET", `/api/articles/${saved.id}/highlights`),
      ctx({ id: saved.id }),
    );
    expect(((await listed.json()) as { highlights: Highlight[] }).highlights.map((h) => h.quote)).toEqual([
      "paper mill closed, the library",
      "keeper lights the lamp",
    ]);

    const json = (await (
      await getArticleRoute(request("GET", `/api/articles/${saved.id}`), ctx({ id: saved.id }))
    ).json()) as {
      highlights: Highlight[];
      note: string;
    };
    expect(json.highlights).toHaveLength(2);
    expect(json.note).toBe("Read again");
    const md = await (
      await getArticleRoute(request("GET", `/api/articles/${saved.id}?format=md`), ctx({ id: saved.id }))
    ).text();
    expect(md).toContain("> paper mill closed, the library\n\nthe turning point");
    expect(md).toContain("> keeper lights the lamp\n>\n> — 0:42");

    const removed = await deleteHighlightRoute(
      request("DELETE", `/api/articles/${saved.id}/highlights/${textHighlight.id}`),
      ctx({ id: saved.id, highlightId: textHighlight.id }),
    );
    expect(removed.status).toBe(204);
    const again = await deleteHighlightRoute(
      request("DELETE", `/api/articles/${saved.id}/highlights/${textHighlight.id}`),
      ctx({ id: saved.id, highlightId: textHighlight.id }),
    );
    expect(again.status).toBe(404);
  });

  it("deletes the article: 204, then 404; the URL can be summarized again", async () => {
    const del = () => deleteArticleRoute(request("DELETE", `/api/articles/${saved.id}`), ctx({ id: saved.id }));
    expect(
      (await deleteArticleRoute(request("DELETE", `/api/articles/${saved.id}`, undefined, {}), ctx({ id: saved.id })))
        .status,
    ).toBe(401);
    expect((await del()).status).toBe(204);
    expect((await getArticleRoute(request("GET", `/api/articles/${saved.id}`), ctx({ id: saved.id }))).status).toBe(
      404,
    );
    expect((await del()).status).toBe(404);
    const { store } = await getServices();
    expect(await store.getArticleByCanonicalUrl(saved.canonicalUrl)).toBeNull();
  });
});
