import type { Extracted, MediaItem } from "../domain";
import type { FailureReason } from "../errors";

/** Messages between the reader pool and the extraction worker (plain, structured-clonable data). */
export type ReaderRequest =
  | { op: "media"; html: string; url: string }
  | { op: "article"; html: string; url: string; media: MediaItem[] }
  /** An HTML fragment from outside (a feed item's description) sanitized once, before it is stored. */
  | { op: "sanitize"; html: string };

export type ReaderResult<R extends ReaderRequest> = R extends { op: "media" }
  ? MediaItem[]
  : R extends { op: "sanitize" }
    ? string
    : Extracted;

export type ReaderReply =
  | { id: number; ok: true; value: MediaItem[] | Extracted | string; heapUsed: number }
  | { id: number; ok: false; reason: FailureReason; message: string; retriable: boolean; heapUsed: number };

/** DOM work off the server's event loop: the port the detect and extract stages receive (built in lib/services.ts). */
export interface Reader {
  read<R extends ReaderRequest>(request: R): Promise<ReaderResult<R>>;
  close(): Promise<void>;
}

/** `foundIn` of a feed linked from a podcast episode page: the detect stage looks the episode up in it. */
export const PODCAST_FEED_LINK = "link-alternate (podcast page)";
