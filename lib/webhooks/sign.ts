import { createHmac, randomBytes } from "node:crypto";
import { AppError } from "../errors";

/**
 * Standard Webhooks (standardwebhooks.com): the secret is `whsec_` + base64 of the key; a delivery carries
 * `webhook-id`, `webhook-timestamp` (seconds) and `webhook-signature: v1,<base64 HMAC-SHA256(key, "id.timestamp.body")>`.
 */

const PREFIX = "whsec_";

/** A new signing secret: 24 random bytes. */
export const newWebhookSecret = (): string => `${PREFIX}${randomBytes(24).toString("base64")}`;

function keyOf(secret: string): Buffer {
  if (!secret.startsWith(PREFIX)) throw new AppError("internal", "A webhook secret must start with whsec_");
  return Buffer.from(secret.slice(PREFIX.length), "base64");
}

export function signWebhook(secret: string, id: string, timestampSeconds: number, body: string): string {
  const digest = createHmac("sha256", keyOf(secret)).update(`${id}.${timestampSeconds}.${body}`).digest("base64");
  return `v1,${digest}`;
}

/** The headers a delivery is sent with. */
export function webhookHeaders(secret: string, id: string, timestampSeconds: number, body: string) {
  return {
    "Content-Type": "application/json",
    "webhook-id": id,
    "webhook-timestamp": String(timestampSeconds),
    "webhook-signature": signWebhook(secret, id, timestampSeconds, body),
  };
}
