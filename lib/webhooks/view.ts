import type { WebhookEndpoint } from "../store/following";

/** An endpoint as the API and admin show it: never its secret (shown once, at creation). */
export function publicWebhook(endpoint: WebhookEndpoint): Omit<WebhookEndpoint, "secret"> {
  const { secret: _secret, ...shown } = endpoint;
  return shown;
}
