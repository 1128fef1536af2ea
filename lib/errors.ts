import { z } from "zod";

/** DESIGN.md §2 failure reasons. Each one is either permanent (never retried) or retriable. */
export const FAILURE_REASONS = [
  "invalid_url",
  "blocked_url",
  "http_error",
  "timeout",
  "too_large",
  "unsupported_content",
  "not_an_article",
  "paywall_or_bot_wall",
  "no_media",
  "media_unreadable",
  "transcription_failed",
  "summarization_failed",
  "rate_limited",
  "storage_failed",
  "cancelled",
  "internal",
] as const;

export const failureReasonSchema = z.enum(FAILURE_REASONS);
export type FailureReason = z.infer<typeof failureReasonSchema>;

const PERMANENT: ReadonlySet<FailureReason> = new Set([
  "invalid_url",
  "blocked_url",
  "too_large",
  "unsupported_content",
  "not_an_article",
  "paywall_or_bot_wall",
  "no_media",
  "media_unreadable",
  "cancelled",
]);

const HTTP_STATUS: Partial<Record<FailureReason, number>> = {
  invalid_url: 400,
  blocked_url: 400,
  unsupported_content: 422,
  not_an_article: 422,
  paywall_or_bot_wall: 422,
  no_media: 422,
  media_unreadable: 422,
  too_large: 413,
  rate_limited: 429,
  timeout: 504,
  http_error: 502,
  cancelled: 409,
};

export interface AppErrorOptions {
  cause?: unknown;
  /** Overrides the reason's default. `http_error` is permanent for 404/410 and retriable for 5xx. */
  retriable?: boolean;
  /** Upstream HTTP status, for `http_error`. */
  status?: number;
  /** Milliseconds to wait before retrying (from Retry-After). */
  retryAfterMs?: number;
}

/**
 * The one error type of the app. `reason` is safe to show to users; `message` is written for them too.
 * Internals (stack, cause) stay in logs: `toPublic()` is what leaves the server.
 */
export class AppError extends Error {
  readonly reason: FailureReason;
  readonly retriable: boolean;
  readonly status?: number;
  readonly retryAfterMs?: number;

  constructor(reason: FailureReason, message: string, options: AppErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = "AppError";
    this.reason = reason;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
    this.retriable = options.retriable ?? !PERMANENT.has(reason);
  }

  get httpStatus(): number {
    return HTTP_STATUS[this.reason] ?? 500;
  }

  toPublic(): { reason: FailureReason; message: string; status?: number } {
    return this.reason === "internal"
      ? { reason: "internal", message: "Internal error" }
      : { reason: this.reason, message: this.message, ...(this.status ? { status: this.status } : {}) };
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}

/** Wraps anything thrown into an AppError, keeping the original as `cause`. */
export function toAppError(e: unknown, fallback: FailureReason = "internal"): AppError {
  if (e instanceof AppError) return e;
  if (e instanceof Error && e.name === "AbortError")
    return new AppError("timeout", "The operation timed out", { cause: e });
  const message = e instanceof Error ? e.message : String(e);
  return new AppError(fallback, message, { cause: e });
}
