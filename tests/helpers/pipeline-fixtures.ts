import { vi } from "vitest";
import type { Extracted, Transcript } from "@/lib/domain";
import { AppError } from "@/lib/errors";
import { createReader } from "@/lib/extract/reader-pool";
import { createLogger } from "@/lib/log";
import type { SafeFetch } from "@/lib/net/types";
import type { TranscriptCache } from "@/lib/pipeline/transcribe-chunks";
import type { Summarizer } from "@/lib/ports";
import type { TranscriptChunkKey } from "@/lib/store/store";

/** An extraction result with nothing in it, for stages downstream of extract; override what a test needs. */
export const extractedFixture = (overrides: Partial<Extracted> = {}): Extracted => ({
  url: "https://a.example/",
  canonicalUrl: "https://a.example/",
  title: "t",
  byline: null,
  siteName: null,
  lang: null,
  publishedTime: null,
  excerpt: null,
  text: "",
  html: "",
  leadImage: null,
  media: [],
  extractor: "media",
  ...overrides,
});

/** The store's transcript cache, in memory, exposing what was cached. */
export function memoryTranscriptCache(): TranscriptCache & { entries: Map<string, Transcript> } {
  const entries = new Map<string, Transcript>();
  const id = (k: TranscriptChunkKey) => JSON.stringify(k);
  return {
    entries,
    getTranscriptChunk: async (k) => entries.get(id(k)) ?? null,
    putTranscriptChunk: async (k, t) => void entries.set(id(k), t),
  };
}

/** A quiet logger for tests: warnings the test provokes on purpose are not noise in the output. */
export const quietLogger = createLogger({ level: "error" });

/** One extraction worker per test file (it never holds the process open). */
export const testReader = createReader({ logger: quietLogger });

/** A summarizer that always takes the single-call path, for tests of the pipeline around it (spy on `summarize`). */
export function singleCallSummarizer<S extends Pick<Summarizer, "model" | "summarize">>(fake: S): Summarizer & S {
  const never = async (): Promise<never> => {
    throw new Error("single-call test summarizer: no parts");
  };
  return {
    plan: () => ({
      path: "single",
      model: fake.model,
      parts: 0,
      partTokens: 0,
      notesTokens: 0,
      contentTokens: 0,
      promptTokens: 0,
    }),
    summarizePart: never,
    combine: never,
    ...fake,
  };
}

/**
 * The fetcher is the pipeline's only network edge; this one serves fixture pages by URL and throws `missing` for
 * any other URL (a permanent 404 unless the test wants a retriable failure).
 */
export function fixtureFetch(
  pages: Record<string, Uint8Array>,
  missing: () => AppError = () => new AppError("http_error", "HTTP 404", { status: 404, retriable: false }),
) {
  return vi.fn<SafeFetch>(async (url) => {
    const body = pages[url];
    if (!body) throw missing();
    return {
      url,
      status: 200,
      headers: { "content-type": "text/html; charset=utf-8" },
      contentType: "text/html; charset=utf-8",
      body: new Uint8Array(body),
      bodyRead: true,
      redirects: [url],
    };
  });
}
