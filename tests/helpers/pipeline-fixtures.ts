import type { Extracted, Transcript } from "@/lib/domain";
import type { TranscriptCache } from "@/lib/pipeline/transcribe-chunks";
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
