import { AppError } from "../errors";

/** YouTube's refusals of this server, each named: `media_unreadable`, never retried (asking again gets the same). */
export const refused = (message: string, cause?: unknown) =>
  new AppError("media_unreadable", message, { retriable: false, cause });

/** Safe-fetch errors from YouTube, restated: a 429 or 403 there means this server is blocked, not the video gone. */
export function explainFetchError(error: unknown, what: string): never {
  if (error instanceof AppError && (error.reason === "rate_limited" || error.status === 403)) {
    throw refused(
      `YouTube refused to serve ${what} to this server (HTTP ${error.status ?? 429}); it often blocks cloud and datacenter IP addresses`,
      error,
    );
  }
  throw error;
}
