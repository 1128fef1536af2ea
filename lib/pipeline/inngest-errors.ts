import { NonRetriableError, RetryAfterError } from "inngest";
import { AppError, failureReasonSchema, toAppError } from "../errors";

/**
 * Maps the app's error to what Inngest understands: permanent reasons never retry, rate limits wait as told.
 * The message starts with the reason so `onFailure`, which only sees a serialized error, can read it back.
 */
export function toInngestError(error: unknown): Error {
  const appError = toAppError(error);
  const message = `${appError.reason}: ${appError.toPublic().message}`;
  if (!appError.retriable) return new NonRetriableError(message, { cause: appError });
  if (appError.retryAfterMs !== undefined)
    return new RetryAfterError(message, appError.retryAfterMs, { cause: appError });
  return new Error(message, { cause: appError });
}

/** The inverse of toInngestError's message format; anything else is `internal`. */
export function appErrorFromSerialized(error: { message?: string } | undefined): AppError {
  const text = error?.message ?? "The job failed";
  const match = /^([a-z_]+): ([\s\S]*)$/.exec(text);
  const reason = failureReasonSchema.safeParse(match?.[1]);
  return reason.success ? new AppError(reason.data, match?.[2] ?? text) : new AppError("internal", text);
}
