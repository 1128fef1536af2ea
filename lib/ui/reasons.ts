import { FAILURE_REASONS, type FailureReason, REASONS } from "../errors";

/**
 * What a failure reason says on a card, in a few words; the code itself goes beside it in small print. One table,
 * beside `REASONS` (which holds the longer `meaning`): the compiler makes it name every reason.
 */
export const REASON_WORDS: Record<FailureReason, string> = {
  invalid_url: "Not a valid web address",
  blocked_url: "Address not allowed",
  http_error: "The page answered with an error",
  timeout: "Took too long to answer",
  too_large: "Too large to read",
  unsupported_content: "Not a kind of content we can read",
  not_an_article: "No article found on the page",
  paywall_or_bot_wall: "Behind a paywall or bot check",
  no_media: "No playable media found",
  media_unreadable: "The media could not be transcribed",
  transcription_failed: "Transcription failed",
  summarization_failed: "The summary could not be written",
  summarization_refused: "The model declined to summarize",
  rate_limited: "Asked to slow down",
  storage_failed: "Could not save to the library",
  cancelled: "Cancelled",
  internal: "Something went wrong on our side",
  invalid_body: "The request was not valid",
  unauthorized: "Not signed in",
  not_found: "No such job or article",
  conflict: "Not possible in the job's current state",
  quote_not_found: "The quote is not in the text",
  dispatch_failed: "Could not be handed to the runner",
};

export const isFailureReason = (value: unknown): value is FailureReason =>
  typeof value === "string" && (FAILURE_REASONS as readonly string[]).includes(value);

/** The words for a reason; an unknown code (a newer server) is shown as it is. */
export function reasonWords(reason: string | undefined): string {
  return isFailureReason(reason) ? REASON_WORDS[reason] : (reason ?? "Stopped");
}

/**
 * Whether a retry is likely to fail the same way: what the failing step reported when it did, else the reason's
 * default. A cancelled job is not "permanent": it was stopped, not refused.
 */
export function isPermanentFailure(failure: { reason?: string; retriable?: boolean }): boolean {
  if (failure.reason === "cancelled") return false;
  if (failure.retriable !== undefined) return !failure.retriable;
  return isFailureReason(failure.reason) ? !REASONS[failure.reason].retriable : false;
}

/** A bulk retry split by what `isPermanentFailure` says of each job, in the order given. */
export interface RetryPlan {
  permanent: string[];
  retriable: string[];
}

export function planRetry(jobs: readonly { id: string; reason?: string; retriable?: boolean }[]): RetryPlan {
  const plan: RetryPlan = { permanent: [], retriable: [] };
  for (const job of jobs) (isPermanentFailure(job) ? plan.permanent : plan.retriable).push(job.id);
  return plan;
}

/** The bulk retry's question: how many of the chosen failures are permanent, before anything is retried. */
export function retryQuestion(plan: RetryPlan): string {
  const total = plan.permanent.length + plan.retriable.length;
  const n = plan.permanent.length;
  const which =
    n === total
      ? total === 1
        ? "This failure is permanent"
        : `All ${total} of these failures are permanent`
      : `${n} of these ${total} failures ${n === 1 ? "is" : "are"} permanent`;
  return `${which}: a retry will most likely stop the same way.`;
}
