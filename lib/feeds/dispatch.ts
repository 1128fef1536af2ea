import { inngest, subscriptionPoll } from "@/inngest/client";
import { AppError } from "../errors";
import { type FeedServices, pollSubscription } from "./poll";

export const hostOfFeed = (feedUrl: string): string => {
  try {
    return new URL(feedUrl).host || "unknown";
  } catch {
    return "unknown";
  }
};

/** The `subscription/poll` events for these subscriptions (keyed by host for the poll function's throttle). */
export const pollEvents = (subscriptions: { id: string; feedUrl: string }[]) =>
  subscriptions.map((s) => subscriptionPoll.create({ subscriptionId: s.id, host: hostOfFeed(s.feedUrl) }));

/**
 * "Poll now": an event for the Inngest poll function, or (inline) the same poll in this process, kept alive by
 * `background` (the route's `after()`).
 */
export async function requestPoll(
  subscription: { id: string; feedUrl: string },
  services: FeedServices,
  background: (work: Promise<unknown>) => void,
): Promise<void> {
  if (services.runner.kind === "inngest") {
    try {
      await inngest.send(pollEvents([subscription]));
    } catch (cause) {
      throw new AppError("internal", "Could not hand the poll to Inngest", { cause });
    }
    return;
  }
  background(
    pollSubscription(subscription.id, services).catch((error: unknown) =>
      services.logger.warn("subscription poll failed", { subscriptionId: subscription.id, error }),
    ),
  );
}
