import OpenAI from "openai";
import { AppError, type FailureReason } from "../errors";

export function createOpenAIClient(options: { apiKey: string; baseURL?: string }): OpenAI {
  // Retries belong to the pipeline (Inngest or the inline runner), which knows what is already paid for.
  return new OpenAI({ apiKey: options.apiKey, baseURL: options.baseURL, maxRetries: 0, timeout: 120_000 });
}

/** Retry-After as milliseconds: `retry-after-ms`, seconds, or an HTTP date; undefined when the server named none. */
export function retryAfterMs(headers: Headers | undefined, now = Date.now()): number | undefined {
  const msHeader = headers?.get("retry-after-ms")?.trim();
  const ms = Number(msHeader);
  if (msHeader && Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers?.get("retry-after")?.trim();
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

/** The provider's own words: the SDK prefixes its message with the status ("400 response_format …"). */
export function providerMessage(error: InstanceType<typeof OpenAI.APIError>): string {
  return error.message.replace(/^\d{3}\s+/, "").trim() || `HTTP ${error.status ?? "error"}`;
}

/** A 429 that waiting does not fix: the account is out of credit. */
export function isQuotaError(error: unknown): error is InstanceType<typeof OpenAI.APIError> {
  return (
    error instanceof OpenAI.APIError && (error.code === "insufficient_quota" || error.type === "insufficient_quota")
  );
}

/**
 * API errors to the app's reasons: a 429 waits as told (without a Retry-After, the runner's backoff as for a 5xx),
 * `insufficient_quota` and other 4xx are permanent, 413 is `too_large`, 5xx and network errors retry.
 */
export function fromOpenAIError(error: unknown, fallback: FailureReason): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof OpenAI.APIError) {
    const status = error.status;
    const said = providerMessage(error);
    if (isQuotaError(error))
      return new AppError(fallback, `The AI provider refused: ${said} (insufficient_quota)`, {
        cause: error,
        retriable: false,
      });
    if (status === 429)
      return new AppError("rate_limited", `The AI provider is rate limiting us: ${said}`, {
        cause: error,
        retryAfterMs: retryAfterMs(error.headers),
      });
    if (status === 413)
      return new AppError("too_large", `The AI provider refused the upload as too large: ${said}`, { cause: error });
    const permanent = status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 409;
    return new AppError(fallback, `The AI provider answered ${status ?? "an error"}: ${said}`, {
      cause: error,
      retriable: !permanent,
    });
  }
  return new AppError(fallback, `The AI provider could not be reached (${String(error)})`, {
    cause: error,
    retriable: true,
  });
}
