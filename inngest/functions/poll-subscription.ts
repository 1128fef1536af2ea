import { type FeedServices, pollSubscription } from "@/lib/feeds/poll";
import { toInngestError } from "@/lib/pipeline/inngest-errors";
import type { StepRunner } from "@/lib/ports";
import { getServices } from "@/lib/services";
import { inngest, subscriptionPoll } from "../client";

export type FeedServicesFactory = () => Promise<FeedServices>;

/**
 * One poll of one subscription. Per feed host: at most 2 polls at once and 20 a minute (a host with 200 feeds is
 * polled over minutes, not in one burst); 20 polls at once overall. Feed errors are the subscription's (recorded,
 * backed off); only storage failures retry the step.
 */
export function createPollSubscription(getFeedServices: FeedServicesFactory = getServices) {
  return inngest.createFunction(
    {
      id: "poll-subscription",
      name: "Poll subscription",
      triggers: [subscriptionPoll],
      retries: 3,
      concurrency: [{ limit: 20 }, { key: "event.data.host", limit: 2 }],
      throttle: { key: "event.data.host", limit: 20, period: "1m" },
    },
    async ({ event, step }) => {
      const services = await getFeedServices();
      const durable: StepRunner = {
        run: <T>(id: string, fn: () => Promise<T>) =>
          step.run(id, async () => {
            try {
              return await fn();
            } catch (error) {
              throw toInngestError(error);
            }
          }) as Promise<T>,
      };
      return pollSubscription(event.data.subscriptionId, services, durable);
    },
  );
}

export const pollSubscriptionFn = createPollSubscription();
