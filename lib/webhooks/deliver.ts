import { randomUUID } from "node:crypto";
import { toAppError } from "../errors";
import type { Services } from "../services";
import type { WebhookEvent } from "../store/following";
import { webhookHeaders } from "./sign";

export type WebhookServices = Pick<Services, "store" | "fetch" | "logger" | "now" | "runner">;

/** Seconds to wait after each failed attempt: 8 attempts over about 4.5 hours, then the delivery is failed. */
export const WEBHOOK_BACKOFF_SECONDS = [5, 30, 120, 600, 1800, 3600, 10800] as const;
export const WEBHOOK_MAX_ATTEMPTS = WEBHOOK_BACKOFF_SECONDS.length + 1;
const TIMEOUT_MS = 15_000;

export interface AttemptResult {
  /** Nothing more to do: delivered, failed for good, or gone (endpoint deleted). */
  done: boolean;
  delivered: boolean;
  status: number | null;
  /** When not done: seconds until the next attempt. */
  retryInSeconds?: number;
}

/**
 * One attempt of one delivery, signed when it is sent (a fresh timestamp per attempt, the same webhook-id), POSTed
 * through the SSRF-guarded fetcher: no redirects followed, a 15 s deadline, the answer's body capped. The outcome is
 * recorded on the delivery and its endpoint's last status. A blocked address is final; anything else is retried.
 */
export async function attemptDelivery(
  deliveryId: string,
  services: Pick<WebhookServices, "store" | "fetch" | "now" | "logger">,
): Promise<AttemptResult> {
  const delivery = await services.store.getWebhookDelivery(deliveryId);
  if (delivery?.status !== "pending") {
    return { done: true, delivered: delivery?.status === "delivered", status: delivery?.responseStatus ?? null };
  }
  const body = JSON.stringify(delivery.payload);
  const timestamp = Math.floor(services.now() / 1000);
  let status: number | null = null;
  let error: string | null = null;
  let final = false;
  try {
    const response = await services.fetch(delivery.url, {
      method: "POST",
      body,
      headers: webhookHeaders(delivery.secret, delivery.id, timestamp, body),
      maxRedirects: 0,
      timeoutMs: TIMEOUT_MS,
      maxBytes: 64 * 1024,
    });
    status = response.status;
  } catch (cause) {
    const failure = toAppError(cause);
    status = failure.status ?? null;
    error = failure.toPublic().message;
    final = failure.reason === "blocked_url" || failure.reason === "invalid_url";
  }
  const attempts = delivery.attempts + 1;
  if (error === null) {
    await services.store.recordWebhookAttempt(deliveryId, { status: "delivered", responseStatus: status, error: null });
    return { done: true, delivered: true, status };
  }
  const retryInSeconds = WEBHOOK_BACKOFF_SECONDS[attempts - 1];
  if (final || retryInSeconds === undefined) {
    await services.store.recordWebhookAttempt(deliveryId, { status: "failed", responseStatus: status, error });
    services.logger.warn("webhook delivery failed", { deliveryId, attempts, status, error });
    return { done: true, delivered: false, status };
  }
  await services.store.recordWebhookAttempt(deliveryId, {
    status: "pending",
    responseStatus: status,
    error,
    retryInSeconds,
  });
  return { done: false, delivered: false, status, retryInSeconds };
}

/** Records one delivery per endpoint that asked for `event`; returns the delivery ids. */
export async function recordEvent(
  event: WebhookEvent,
  data: Record<string, unknown>,
  services: Pick<WebhookServices, "store" | "now">,
  only?: string,
): Promise<string[]> {
  const endpoints = (await services.store.listWebhooks()).filter((e) =>
    only ? e.id === only : e.events.includes(event),
  );
  if (endpoints.length === 0) return [];
  const payload = { type: event, timestamp: new Date(services.now()).toISOString(), data };
  const recorded = await services.store.addWebhookDeliveries(
    endpoints.map((e) => ({ id: `msg_${randomUUID().replaceAll("-", "")}`, endpointId: e.id, event, payload })),
  );
  return recorded.map((d) => d.id);
}
