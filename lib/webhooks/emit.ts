import { inngest, webhookDeliver } from "@/inngest/client";
import { AppError } from "../errors";
import type { WebhookEvent } from "../store/following";
import { attemptDelivery, recordEvent, type WebhookServices } from "./deliver";

/**
 * Hands recorded deliveries to whoever sends them: Inngest (the deliver-webhook function: durable attempts with
 * sleeps between them), or this process (one attempt now, in the background; the inline cron sends what is due).
 */
export async function dispatchDeliveries(ids: string[], services: WebhookServices): Promise<void> {
  if (ids.length === 0) return;
  if (services.runner.kind === "inngest") {
    try {
      // The delivery id is the event id: a repeated send is dropped by Inngest.
      await inngest.send(ids.map((deliveryId) => webhookDeliver.create({ deliveryId }, { id: deliveryId })));
    } catch (cause) {
      throw new AppError("internal", "Could not hand the webhook deliveries to Inngest", { cause });
    }
    return;
  }
  for (const id of ids) {
    attemptDelivery(id, services).catch((error: unknown) =>
      services.logger.warn("webhook delivery attempt failed to run", { deliveryId: id, error }),
    );
  }
}

/** Tells every endpoint that asked for `event` (or only `endpointId`: the admin's "send test"). */
export async function emitWebhook(
  event: WebhookEvent,
  data: Record<string, unknown>,
  services: WebhookServices,
  endpointId?: string,
): Promise<string[]> {
  const ids = await recordEvent(event, data, services, endpointId);
  await dispatchDeliveries(ids, services);
  return ids;
}

/** The inline runner's sweep: pending deliveries whose next attempt is due (also after a restart). */
export async function sendDueDeliveries(services: WebhookServices, limit = 50): Promise<number> {
  const ids = await services.store.dueWebhookDeliveries(limit);
  for (const id of ids) await attemptDelivery(id, services);
  return ids.length;
}
