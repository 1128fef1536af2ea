import type { Fetched } from "../domain";
import { AppError } from "../errors";
import { decodeBody } from "../extract/charset";
import { youtubeUrl } from "../extract/video-urls";
import { explainFetchError } from "../extract/youtube-refusals";
import type { PipelineDeps } from "./types";

/** Step outputs are memoized by Inngest (4 MB per step): pages are capped below that. */
const MAX_TEXT_BYTES = 3 * 1024 * 1024;
const MAX_PDF_BYTES = 2.5 * 1024 * 1024;
const MAX_FETCH_BYTES = 8 * 1024 * 1024;

function classify(contentType: string | null, body: Uint8Array, url: string): Fetched["kind"] | null {
  const type = (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (type.startsWith("audio/") || type.startsWith("video/") || type === "application/ogg") return "media";
  if (type === "application/pdf") return "pdf";
  if (/(rss|atom)\+xml$/.test(type)) return "feed";
  if (type === "text/html" || type === "application/xhtml+xml") return "html";
  const head = Buffer.from(body.subarray(0, 1024)).toString("latin1").trimStart().toLowerCase();
  if (head.startsWith("%pdf-")) return "pdf";
  if (type.endsWith("/xml") || type === "" || type === "application/octet-stream") {
    if (/<rss[\s>]|<feed[\s>]/.test(head)) return "feed";
    if (head.startsWith("<!doctype html") || head.startsWith("<html") || /<(head|body)[\s>]/.test(head)) return "html";
  }
  if (type === "text/plain" || type === "text/markdown") return "text";
  if (
    /\.(mp3|m4a|aac|wav|ogg|oga|opus|flac|mp4|m4v|webm|mov)(\?|$)/i.test(url) &&
    type === "application/octet-stream"
  ) {
    return "media";
  }
  return null;
}

const looksLikeMedia = (contentType: string | null) =>
  /^(audio|video)\//i.test(contentType ?? "") || /ogg/i.test(contentType ?? "");

/**
 * Stage 1: the URL, through the SSRF-guarded fetcher. Text bodies are decoded with the right charset;
 * audio/video bodies are not downloaded here (only their type is needed; transcription streams them later).
 */
export async function fetchStage(url: string, deps: Pick<PipelineDeps, "fetch">): Promise<Fetched> {
  const response = await deps
    .fetch(url, {
      maxBytes: MAX_FETCH_BYTES,
      shouldReadBody: ({ contentType }) => !looksLikeMedia(contentType),
    })
    .catch((error: unknown) => (youtubeUrl(url) ? explainFetchError(error, "the video page") : Promise.reject(error)));
  const base = {
    requestedUrl: url,
    finalUrl: response.url,
    status: response.status,
    contentType: response.contentType,
    contentLength: response.bodyRead
      ? response.body.byteLength
      : Number(response.headers["content-length"] ?? 0) || null,
    redirects: response.redirects,
  };
  if (!response.bodyRead) return { ...base, kind: "media", body: "" };
  const kind = classify(response.contentType, response.body, response.url);
  if (!kind) {
    throw new AppError("unsupported_content", `Cannot read content of type ${response.contentType ?? "unknown"}`);
  }
  if (kind === "media") return { ...base, kind, body: "" };
  if (kind === "pdf") {
    if (response.body.byteLength > MAX_PDF_BYTES)
      throw new AppError("too_large", "PDF documents over 2.5 MB are not supported yet");
    return { ...base, kind, body: Buffer.from(response.body).toString("base64") };
  }
  const body = response.body.byteLength > MAX_TEXT_BYTES ? response.body.subarray(0, MAX_TEXT_BYTES) : response.body;
  return { ...base, kind, body: decodeBody(body, response.contentType, { xml: kind === "feed" }).text };
}
