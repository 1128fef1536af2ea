import { z } from "zod";

/**
 * Every reason the app names a failure by: the pipeline's (ARCHITECTURE.md) and the HTTP API's request errors.
 * Documented, with the same columns, in docs/failure-reasons.md (a test keeps the two in step).
 */
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
  "invalid_body",
  "unauthorized",
  "not_found",
  "conflict",
  "quote_not_found",
  "summarization_refused",
  "dispatch_failed",
] as const;

export const failureReasonSchema = z.enum(FAILURE_REASONS);
export type FailureReason = z.infer<typeof failureReasonSchema>;

export interface ReasonInfo {
  /** Whether trying again may succeed (Inngest retries it); an `AppError` may override it case by case. */
  retriable: boolean;
  /** The HTTP status when this error ends a request. */
  httpStatus: number;
  /**
   * Whether the error's own message may leave the server (HTTP, progress log, job row, CLI). When false, only
   * `meaning` does: the message may carry internals (SQL, hosts), which stay in logs.
   */
  public: boolean;
  /** What it means, for users: the message shown when the error's own message is not public. */
  meaning: string;
}

/** The one table of reasons: the compiler makes it name every reason, and every rule below reads it. */
export const REASONS: Record<FailureReason, ReasonInfo> = {
  invalid_url: { retriable: false, httpStatus: 400, public: true, meaning: "The URL is not a valid http(s) URL" },
  blocked_url: {
    retriable: false,
    httpStatus: 400,
    public: true,
    meaning:
      "The URL points at a private, loopback or metadata address, or at a port other than 80, 443, 8080, 8443 (SSRF guard)",
  },
  http_error: {
    retriable: true,
    httpStatus: 502,
    public: true,
    meaning: "The source answered with an HTTP error (permanent for 404/410, retried for 5xx)",
  },
  timeout: {
    retriable: true,
    httpStatus: 504,
    public: true,
    meaning: "The source or a service did not answer in time",
  },
  too_large: { retriable: false, httpStatus: 413, public: true, meaning: "The page, document or media is too large" },
  unsupported_content: {
    retriable: false,
    httpStatus: 422,
    public: true,
    meaning: "The content type cannot be read (not HTML, feed, text, PDF or media)",
  },
  not_an_article: {
    retriable: false,
    httpStatus: 422,
    public: true,
    meaning: "The page has too little readable text and no media",
  },
  paywall_or_bot_wall: {
    retriable: false,
    httpStatus: 422,
    public: true,
    meaning: "The source showed a paywall, login or bot check instead of the content",
  },
  no_media: { retriable: false, httpStatus: 422, public: true, meaning: "A feed or media page has no playable media" },
  media_unreadable: {
    retriable: false,
    httpStatus: 422,
    public: true,
    meaning: "The media cannot be transcribed (format, captions refused, no speech-to-text)",
  },
  transcription_failed: {
    retriable: true,
    httpStatus: 500,
    public: true,
    meaning: "The speech-to-text service failed",
  },
  summarization_failed: { retriable: true, httpStatus: 500, public: true, meaning: "The LLM failed to summarize" },
  rate_limited: {
    retriable: true,
    httpStatus: 429,
    public: true,
    meaning: "A source or service asked us to slow down",
  },
  storage_failed: {
    retriable: true,
    httpStatus: 500,
    public: false,
    meaning: "The library's database could not be read or written",
  },
  cancelled: { retriable: false, httpStatus: 409, public: true, meaning: "The job was cancelled" },
  internal: { retriable: true, httpStatus: 500, public: false, meaning: "Something went wrong on our side" },
  invalid_body: {
    retriable: false,
    httpStatus: 400,
    public: true,
    meaning: "The request body is not valid JSON input",
  },
  unauthorized: {
    retriable: false,
    httpStatus: 401,
    public: true,
    meaning: "Sign in, or send the admin token as Authorization: Bearer",
  },
  not_found: { retriable: false, httpStatus: 404, public: true, meaning: "No such job or article" },
  conflict: { retriable: false, httpStatus: 409, public: true, meaning: "The job is not in a state that allows this" },
  quote_not_found: {
    retriable: false,
    httpStatus: 400,
    public: true,
    meaning: "A highlight's quote does not occur verbatim in the article's text or transcript",
  },
  summarization_refused: {
    retriable: false,
    httpStatus: 422,
    public: true,
    meaning: "The model declined to summarize this content (its own words are shown)",
  },
  dispatch_failed: {
    retriable: true,
    httpStatus: 503,
    public: true,
    meaning: "The job could not be handed to its runner (Inngest did not accept it)",
  },
};

export interface AppErrorOptions {
  cause?: unknown;
  /** Overrides the reason's default. `http_error` is permanent for 404/410 and retriable for 5xx. */
  retriable?: boolean;
  /** Upstream HTTP status, for `http_error`. */
  status?: number;
  /** Milliseconds to wait before retrying (from Retry-After); over MAX_RETRY_AFTER_MS it is dropped. */
  retryAfterMs?: number;
  /** For `conflict`: the job's current state, so the client can show it. */
  current?: string;
}

/** What of an error may leave the server: the same for HTTP responses, progress events, job rows and the CLI. */
export interface PublicError {
  reason: FailureReason;
  message: string;
  status?: number;
  current?: string;
}

/**
 * The longest wait an upstream's Retry-After can impose. A site answering `Retry-After: 2000000` would otherwise
 * keep a job running for weeks (and block resubmitting its URL); beyond this the error is an ordinary retriable one
 * and the orchestrator's own backoff decides.
 */
export const MAX_RETRY_AFTER_MS = 5 * 60 * 1000;

/**
 * The one error type of the app, for pipeline failures and request errors alike. `reason` is always safe to
 * show; the message is shown when the reason's table row says so. Internals (stack, cause) stay in logs.
 */
export class AppError extends Error {
  readonly reason: FailureReason;
  readonly retriable: boolean;
  readonly status?: number;
  readonly retryAfterMs?: number;
  readonly current?: string;

  constructor(reason: FailureReason, message: string, options: AppErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = "AppError";
    this.reason = reason;
    this.status = options.status;
    this.current = options.current;
    const wait = options.retryAfterMs;
    this.retryAfterMs =
      wait !== undefined && Number.isFinite(wait) && wait <= MAX_RETRY_AFTER_MS ? Math.max(0, wait) : undefined;
    this.retriable = options.retriable ?? REASONS[reason].retriable;
  }

  get httpStatus(): number {
    return REASONS[this.reason].httpStatus;
  }

  /** Whether the message is hidden: such errors are worth a log line with their cause wherever they surface. */
  get internal(): boolean {
    return !REASONS[this.reason].public;
  }

  toPublic(): PublicError {
    const info = REASONS[this.reason];
    if (!info.public) return { reason: this.reason, message: info.meaning };
    return {
      reason: this.reason,
      message: this.message,
      ...(this.status ? { status: this.status } : {}),
      ...(this.current ? { current: this.current } : {}),
    };
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
