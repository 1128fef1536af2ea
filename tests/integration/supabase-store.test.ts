import { readdirSync, readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import type { Store } from "@/lib/store/store";
import { createSupabaseStore } from "@/lib/store/supabase-store";
import { article } from "./store-fixtures";

/**
 * The supabase adapter's error mapping, on PostgREST error answers recorded as fixtures: every port operation turns
 * them into storage_failed with the PostgREST error kept as cause. (Its requests are checked against the migrated
 * catalog by the contract suite in store.contract.test.ts.)
 */

interface Fixture {
  status: number;
  contentType?: string;
  body: unknown;
}

const FIXTURES = path.join(import.meta.dirname, "../fixtures/postgrest/errors");
const fixtures = readdirSync(FIXTURES)
  .filter((f) => f.endsWith(".json"))
  .map((f) => [f.replace(/\.json$/, ""), JSON.parse(readFileSync(path.join(FIXTURES, f), "utf8")) as Fixture] as const);

const ARTICLE_ID = "5b1d7a3e-8f4c-4c1e-9a55-0c3f2d7e9b10";

const operations: [string, (store: Store) => Promise<unknown>][] = [
  [
    "createJob",
    (s) => s.createJob({ id: "job_1", url: "https://a.example/", canonicalUrl: "https://a.example/", force: false }),
  ],
  ["getJob", (s) => s.getJob("job_1")],
  ["updateJob", (s) => s.updateJob("job_1", { status: "running" })],
  ["listJobs", (s) => s.listJobs({ status: "failed" })],
  ["upsertArticle", (s) => s.upsertArticle(article())],
  ["getArticle", (s) => s.getArticle("5b1d7a3e-8f4c-4c1e-9a55-0c3f2d7e9b10")],
  ["getArticleByCanonicalUrl", (s) => s.getArticleByCanonicalUrl("https://a.example/")],
  ["searchArticles", (s) => s.searchArticles({ q: "libraries" })],
  ["browseLibrary", (s) => s.browseLibrary({ q: "libraries", kind: "podcast", state: "inbox", favorite: true })],
  ["updateArticle", (s) => s.updateArticle(ARTICLE_ID, { state: "archived", tags: ["a"] })],
  ["deleteArticle", (s) => s.deleteArticle(ARTICLE_ID)],
  [
    "addHighlight",
    (s) => s.addHighlight(ARTICLE_ID, { quote: "q", note: null, source: "text", offset: 0, startSec: null }),
  ],
  ["listHighlights", (s) => s.listHighlights(ARTICLE_ID)],
  ["deleteHighlight", (s) => s.deleteHighlight(ARTICLE_ID, ARTICLE_ID)],
  [
    "getTranscriptChunk",
    (s) => s.getTranscriptChunk({ mediaUrl: "https://a.example/a.mp3", startSec: 0, endSec: 1, model: "m" }),
  ],
  [
    "putTranscriptChunk",
    (s) =>
      s.putTranscriptChunk(
        { mediaUrl: "https://a.example/a.mp3", startSec: 0, endSec: 1, model: "m" },
        { source: "openai", text: "x" },
      ),
  ],
  ["sessionVersion", (s) => s.sessionVersion()],
  ["revokeSessions", (s) => s.revokeSessions()],
  ["ping", (s) => s.ping()],
];

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => new Error("expected a rejection"),
    (error: unknown) => error,
  );
}

describe("supabase adapter: error mapping on recorded PostgREST error bodies", () => {
  let server: http.Server;
  let store: Store;
  let answer: Fixture = { status: 500, body: null };

  beforeAll(async () => {
    server = http.createServer(async (req, res) => {
      for await (const _ of req) {
        // Drain the body before answering.
      }
      const json = answer.contentType === undefined;
      res
        .writeHead(answer.status, { "Content-Type": answer.contentType ?? "application/json" })
        .end(json ? JSON.stringify(answer.body) : String(answer.body));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    store = createSupabaseStore(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, "service-role-key");
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("has fixtures to replay", () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(5);
  });

  for (const [name, fixture] of fixtures) {
    it(`maps ${name} (HTTP ${fixture.status}) to storage_failed for every operation, keeping the cause`, async () => {
      answer = fixture;
      for (const [operation, call] of operations) {
        const error = await failure(call(store));
        expect(error, operation).toBeInstanceOf(AppError);
        expect(error, operation).toMatchObject({ reason: "storage_failed", retriable: true });
        const cause = (error as AppError).cause;
        if (typeof fixture.body === "object" && fixture.body !== null) {
          const body = fixture.body as { code: string; message: string };
          expect(cause, operation).toMatchObject({ code: body.code, message: body.message });
          expect((error as AppError).message, operation).toContain(body.code);
        } else {
          expect(cause, operation).toMatchObject({ message: String(fixture.body) });
        }
      }
    });
  }

  // supabase-js retries failed reads three times (1 s, 2 s, 4 s): one read, and the writes, which it does not retry.
  it("maps an unreachable Supabase to storage_failed", { timeout: 20_000 }, async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const offline = createSupabaseStore(`http://127.0.0.1:${port}`, "service-role-key");
    const tried = ["getJob", "createJob", "updateJob", "upsertArticle", "putTranscriptChunk"];
    for (const [operation, call] of operations.filter(([name]) => tried.includes(name))) {
      expect(await failure(call(offline)), operation).toMatchObject({
        reason: "storage_failed",
        cause: expect.anything(),
      });
    }
  });
});
