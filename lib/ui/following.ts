import type { Subscription, SubscriptionItem } from "../store/following";

/** "what the last poll found", in words, for the admin. */
export function lastPollText(subscription: Pick<Subscription, "lastPoll">): string {
  const poll = subscription.lastPoll;
  if (!poll) return "Not polled yet";
  if (poll.outcome === "error") return `Last poll failed: ${poll.message ?? poll.reason ?? "error"}`;
  const queued = poll.queued > 0 ? `, ${poll.queued} queued` : "";
  if (poll.outcome === "not_modified") return `Last poll: not modified${queued}`;
  return `Last poll: ${poll.found} found, ${poll.added} new${queued}`;
}

export type ItemState = "summarized" | "in progress" | "failed" | "skipped" | "waiting";

/** Where an item stands: its job's outcome when it has one. */
export function itemState(item: Pick<SubscriptionItem, "status" | "jobStatus" | "articleId">): ItemState {
  if (item.articleId && item.jobStatus === "completed") return "summarized";
  if (item.status === "failed" || item.jobStatus === "failed" || item.jobStatus === "cancelled") return "failed";
  if (item.status === "skipped") return "skipped";
  if (item.status === "pending") return "waiting";
  return "in progress";
}

/** Items a user may send to "Summarize": the skipped and the failed. */
export const canSummarize = (state: ItemState): boolean => state === "skipped" || state === "failed";
