import { NonRetriableError, RetryAfterError } from "inngest";
import { toAppError } from "../errors";

/**
 * Maps the app's error to what Inngest understands: permanent reasons never retry, rate limits wait as told.
 * Only the public message goes to Inngest; the reason travels on the job row (see runStage), not in this text.
 */
export function toInngestError(error: unknown): Error {
  const appError = toAppError(error);
  const message = appError.toPublic().message;
  if (!appError.retriable) return new NonRetriableError(message, { cause: appError });
  if (appError.retryAfterMs !== undefined)
    return new RetryAfterError(message, appError.retryAfterMs, { cause: appError });
  return new Error(message, { cause: appError });
}
