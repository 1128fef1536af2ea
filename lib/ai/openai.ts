import OpenAI from "openai";
import { AppError, type FailureReason } from "../errors";

export function createOpenAIClient(options: { apiKey: string; baseURL?: string }): OpenAI {
  // Retries belong to the pipeline (Inngest or the inline runner), which knows what is already paid for.
  return new OpenAI({ apiKey: options.apiKey, baseURL: options.baseURL, maxRetries: 0, timeout: 120_000 });
}

/** API errors to the app's reasons: 429 waits as told, 4xx is permanent, 5xx and network errors retry. */
export function fromOpenAIError(error: unknown, fallback: FailureReason): AppError {
  if (error instanceof OpenAI.APIError) {
    const status = error.status;
    const retryAfter = Number(error.headers?.get?.("retry-after"));
    const retryAfterMs = Number.isFinite(retryAfter) ? retryAfter * 1000 : undefined;
    if (status === 429)
      return new AppError("rate_limited", "The AI provider is rate limiting us", { cause: error, retryAfterMs });
    const permanent = status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 409;
    return new AppError(fallback, `The AI provider answered ${status ?? "an error"}: ${error.message}`, {
      cause: error,
      retriable: !permanent,
    });
  }
  if (error instanceof AppError) return error;
  return new AppError(fallback, `The AI provider could not be reached (${String(error)})`, {
    cause: error,
    retriable: true,
  });
}
