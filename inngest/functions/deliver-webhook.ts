import { getServices } from "@/lib/services";
import { attemptDelivery, WEBHOOK_MAX_ATTEMPTS, type WebhookServices } from "@/lib/webhooks/deliver";
import { inngest, webhookDeliver } from "../client";

/**
 * One webhook delivery, durably: each attempt is a step (signed afresh, sent through the SSRF guard, recorded), and
 * between attempts the run sleeps the backoff the attempt recorded (5 s … 3 h), so a receiver down for hours still
 * gets it. After the last attempt the delivery stays failed in the log.
 */
export function createDeliverWebhook(getWebhookServices: () => Promise<WebhookServices> = getServices) {
  return inngest.createFunction(
    {
      id: "deliver-webhook",
      name: "Deliver webhook",
      triggers: [webhookDeliver],
      retries: 2,
      idempotency: "event.data.deliveryId",
      concurrency: { limit: 10 },
    },
    async ({ event, step }) => {
      for (let attempt = 1; attempt <= WEBHOOK_MAX_ATTEMPTS; attempt++) {
        const result = await step.run(`attempt-${attempt}`, async () =>
          attemptDelivery(event.data.deliveryId, await getWebhookServices()),
        );
        if (result.done) return result;
        await step.sleep(`backoff-${attempt}`, `${result.retryInSeconds ?? 60}s`);
      }
      return { done: true, delivered: false, status: null };
    },
  );
}

export const deliverWebhookFn = createDeliverWebhook();
