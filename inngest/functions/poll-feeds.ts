import { pollEvents } from "@/lib/feeds/dispatch";
import { getServices } from "@/lib/services";
import type { Store } from "@/lib/store/store";
import { inngest } from "../client";

/** Events per step.sendEvent: one request each, well under the event API's payload limit. */
const BATCH = 100;
/** Subscriptions per tick; the rest stay due for the next tick. */
const MAX_PER_TICK = 2_000;

/**
 * Every 5 minutes: the due subscriptions are claimed (pushed ahead, so a slow poll is not sent twice) and fanned
 * out as one `subscription/poll` event each, in batches. The polls themselves are throttled per host.
 */
export function createPollFeeds(
  getStore: () => Promise<Pick<Store, "claimDueSubscriptions">> = async () => (await getServices()).store,
) {
  return inngest.createFunction(
    {
      id: "poll-feeds",
      name: "Poll feeds",
      triggers: [{ cron: "TZ=UTC */5 * * * *" }],
      retries: 2,
      concurrency: { limit: 1 },
    },
    async ({ step }) => {
      const due = await step.run("claim-due", async () =>
        (await getStore()).claimDueSubscriptions(MAX_PER_TICK, 15 * 60),
      );
      for (let i = 0; i < due.length; i += BATCH) {
        await step.sendEvent(`fan-out-${i / BATCH}`, pollEvents(due.slice(i, i + BATCH)));
      }
      return { due: due.length };
    },
  );
}

export const pollFeedsFn = createPollFeeds();
