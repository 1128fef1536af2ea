import { getHeapStatistics } from "node:v8";
import { parentPort } from "node:worker_threads";
import { AppError } from "../errors.ts";
import { detectMediaInHtml, readArticleHtml, sanitizeFragment } from "./html-reader.ts";
import type { ReaderReply, ReaderRequest } from "./reader-protocol.ts";

/**
 * The extraction worker: jsdom never gives memory back, so DOM work happens here, in a thread the pool
 * replaces after enough pages. Each reply reports the heap so the pool can recycle before trouble.
 */
parentPort?.on("message", (message: { id: number; request: ReaderRequest }) => {
  const { id, request } = message;
  let reply: ReaderReply;
  try {
    const value =
      request.op === "media"
        ? detectMediaInHtml(request.html, request.url)
        : request.op === "sanitize"
          ? sanitizeFragment(request.html)
          : readArticleHtml(request.html, request.url, request.media);
    reply = { id, ok: true, value, heapUsed: getHeapStatistics().used_heap_size };
  } catch (error) {
    const appError = error instanceof AppError ? error : new AppError("internal", String(error));
    reply = {
      id,
      ok: false,
      reason: appError.reason,
      message: appError.message,
      retriable: appError.retriable,
      heapUsed: getHeapStatistics().used_heap_size,
    };
  }
  parentPort?.postMessage(reply);
});
