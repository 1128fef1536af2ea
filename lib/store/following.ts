import { z } from "zod";
import { AppError } from "../errors";
import { assertUrlSize, cleanText, isUuid } from "./rows";

/**
 * The Store's part for following (subscriptions, the items they have seen) and webhooks. Every operation is one SQL
 * function of the migrations (20261207122700), so the SQL and supabase adapters differ only in how they call it.
 */

export const SUBSCRIPTION_KINDS = ["feed", "page", "apple", "youtube"] as const;
export type SubscriptionKind = (typeof SUBSCRIPTION_KINDS)[number];
export type FeedFormat = "rss" | "atom" | "json";

export interface Subscription {
  id: string;
  /** As the user gave it. */
  url: string;
  feedUrl: string;
  kind: SubscriptionKind;
  format: FeedFormat;
  title: string;
  siteUrl: string | null;
  lang: string | null;
  autoSummarize: boolean;
  backfill: number;
  paused: boolean;
  pausedReason: string | null;
  etag: string | null;
  lastModified: string | null;
  lastPolledAt: string | null;
  nextPollAt: string;
  failures: number;
  lastError: { reason: string; message: string } | null;
  itemsSeen: number;
  /** What the last poll found. */
  lastPoll: PollSummary | null;
  createdAt: string;
}

export interface PollSummary {
  at: string;
  outcome: "ok" | "not_modified" | "error";
  found: number;
  added: number;
  queued: number;
  reason?: string;
  message?: string;
}

export interface NewSubscription {
  url: string;
  feedUrl: string;
  kind: SubscriptionKind;
  format: FeedFormat;
  title: string;
  siteUrl: string | null;
  lang: string | null;
  autoSummarize: boolean;
  backfill: number;
}

export interface SubscriptionPatch {
  paused?: boolean;
  lang?: string | null;
  autoSummarize?: boolean;
}

export interface PolledItem {
  /** Hashed keys (guid, link, enclosure; a content hash when none): the item is new when none was seen. */
  keys: string[];
  title: string;
  /** What a job summarizes. */
  url: string | null;
  publishedAt?: string;
}

export type PollOutcome =
  | { outcome: "ok"; etag: string | null; lastModified: string | null; title?: string; items: PolledItem[] }
  | { outcome: "not_modified" }
  | { outcome: "error"; error: { reason: string; message: string } };

export interface PollLimits {
  maxJobs: number;
  intervalSeconds: number;
  maxBackoffSeconds: number;
  maxFailures: number;
}

export interface PollRecord {
  subscription: Subscription;
  found: number;
  added: number;
  /** Items claimed for a job in this poll (at most `maxJobs`). */
  queue: { id: string; url: string | null; title: string }[];
  /** This poll's failure paused the subscription. */
  pausedNow: boolean;
}

export type ItemStatus = "pending" | "queued" | "skipped" | "failed";

export interface SubscriptionItem {
  id: string;
  subscriptionId: string;
  title: string;
  url: string | null;
  publishedAt: string | null;
  status: ItemStatus;
  jobId: string | null;
  jobStatus: string | null;
  articleId: string | null;
  error: string | null;
  seenAt: string;
}

export const WEBHOOK_EVENTS = ["article.saved", "job.failed", "subscription.paused"] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export interface WebhookEndpoint {
  id: string;
  url: string;
  events: WebhookEvent[];
  /** whsec_…; the API shows it once, at creation. */
  secret: string;
  lastStatus: number | null;
  lastError: string | null;
  lastDeliveryAt: string | null;
  createdAt: string;
}

export interface WebhookDelivery {
  id: string;
  endpointId: string;
  event: string;
  payload: unknown;
  status: "pending" | "delivered" | "failed";
  attempts: number;
  responseStatus: number | null;
  error: string | null;
  createdAt: string;
}

export interface FollowingStore {
  /** A new subscription, or the existing one for the same feed URL (`created: false`). */
  createSubscription(input: NewSubscription): Promise<{ subscription: Subscription; created: boolean }>;
  listSubscriptions(): Promise<Subscription[]>;
  getSubscription(id: string): Promise<Subscription | null>;
  updateSubscription(id: string, patch: SubscriptionPatch): Promise<Subscription | null>;
  deleteSubscription(id: string): Promise<boolean>;
  /** Due subscriptions (not paused), each pushed `leaseSeconds` ahead so the next tick does not send it again. */
  claimDueSubscriptions(limit: number, leaseSeconds: number): Promise<{ id: string; feedUrl: string }[]>;
  /** One poll's outcome, atomically: new items by their keys, backoff and pause on errors, the items to queue. */
  recordPoll(id: string, outcome: PollOutcome, limits: PollLimits): Promise<PollRecord | null>;
  setSubscriptionItem(
    id: string,
    patch: { status?: ItemStatus; jobId?: string | null; error?: string | null },
  ): Promise<SubscriptionItem | null>;
  listSubscriptionItems(subscriptionId: string, limit?: number): Promise<SubscriptionItem[]>;
  createWebhook(input: { url: string; events: WebhookEvent[]; secret: string }): Promise<WebhookEndpoint>;
  listWebhooks(): Promise<WebhookEndpoint[]>;
  deleteWebhook(id: string): Promise<boolean>;
  /** Records deliveries (ids chosen by the caller; a repeated id is ignored); returns those recorded now. */
  addWebhookDeliveries(
    deliveries: { id: string; endpointId: string; event: WebhookEvent; payload: unknown }[],
  ): Promise<WebhookDelivery[]>;
  getWebhookDelivery(id: string): Promise<(WebhookDelivery & { url: string; secret: string }) | null>;
  recordWebhookAttempt(
    id: string,
    attempt: {
      status: WebhookDelivery["status"];
      responseStatus: number | null;
      error: string | null;
      retryInSeconds?: number;
    },
  ): Promise<WebhookDelivery | null>;
  listWebhookDeliveries(endpointId: string, limit?: number): Promise<WebhookDelivery[]>;
  dueWebhookDeliveries(limit: number): Promise<string[]>;
}

/** Calls one SQL function by name with named arguments and returns its JSON result. */
export type CallFunction = (what: string, name: string, args: Record<string, FunctionArg>) => Promise<unknown>;
export type FunctionArg =
  | { type: "jsonb"; value: unknown }
  | { type: "uuid" | "text"; value: string }
  | { type: "integer"; value: number };

const stamp = z.union([z.string(), z.date()]).transform((v) => new Date(v).toISOString());
const nullableStamp = stamp.nullable();

const pollSummarySchema = z.object({
  at: stamp,
  outcome: z.enum(["ok", "not_modified", "error"]),
  found: z.number(),
  added: z.number(),
  queued: z.number(),
  reason: z.string().nullish(),
  message: z.string().nullish(),
});

const subscriptionRow = z
  .object({
    id: z.string(),
    url: z.string(),
    feed_url: z.string(),
    kind: z.enum(SUBSCRIPTION_KINDS),
    format: z.enum(["rss", "atom", "json"]),
    title: z.string(),
    site_url: z.string().nullable(),
    lang: z.string().nullable(),
    auto_summarize: z.boolean(),
    backfill: z.number(),
    paused: z.boolean(),
    paused_reason: z.string().nullable(),
    etag: z.string().nullable(),
    last_modified: z.string().nullable(),
    last_polled_at: nullableStamp,
    next_poll_at: stamp,
    failures: z.number(),
    last_error_reason: z.string().nullable(),
    last_error: z.string().nullable(),
    items_seen: z.number(),
    last_poll: pollSummarySchema.nullable(),
    created_at: stamp,
  })
  .transform(
    (r): Subscription => ({
      id: r.id,
      url: r.url,
      feedUrl: r.feed_url,
      kind: r.kind,
      format: r.format,
      title: r.title,
      siteUrl: r.site_url,
      lang: r.lang,
      autoSummarize: r.auto_summarize,
      backfill: r.backfill,
      paused: r.paused,
      pausedReason: r.paused_reason,
      etag: r.etag,
      lastModified: r.last_modified,
      lastPolledAt: r.last_polled_at,
      nextPollAt: r.next_poll_at,
      failures: r.failures,
      lastError: r.last_error_reason ? { reason: r.last_error_reason, message: r.last_error ?? "" } : null,
      itemsSeen: r.items_seen,
      lastPoll: r.last_poll
        ? {
            at: r.last_poll.at,
            outcome: r.last_poll.outcome,
            found: r.last_poll.found,
            added: r.last_poll.added,
            queued: r.last_poll.queued,
            ...(r.last_poll.reason ? { reason: r.last_poll.reason } : {}),
            ...(r.last_poll.message ? { message: r.last_poll.message } : {}),
          }
        : null,
      createdAt: r.created_at,
    }),
  );

const itemRow = z
  .object({
    id: z.string(),
    subscription_id: z.string(),
    title: z.string(),
    url: z.string().nullable(),
    published_at: nullableStamp,
    status: z.enum(["pending", "queued", "skipped", "failed"]),
    job_id: z.string().nullable(),
    job_status: z.string().nullish(),
    article_id: z.string().nullish(),
    error: z.string().nullable(),
    seen_at: stamp,
  })
  .transform(
    (r): SubscriptionItem => ({
      id: r.id,
      subscriptionId: r.subscription_id,
      title: r.title,
      url: r.url,
      publishedAt: r.published_at,
      status: r.status,
      jobId: r.job_id,
      jobStatus: r.job_status ?? null,
      articleId: r.article_id ?? null,
      error: r.error,
      seenAt: r.seen_at,
    }),
  );

const webhookRow = z
  .object({
    id: z.string(),
    url: z.string(),
    events: z.array(z.enum(WEBHOOK_EVENTS)),
    secret: z.string(),
    last_status: z.number().nullable(),
    last_error: z.string().nullable(),
    last_delivery_at: nullableStamp,
    created_at: stamp,
  })
  .transform(
    (r): WebhookEndpoint => ({
      id: r.id,
      url: r.url,
      events: r.events,
      secret: r.secret,
      lastStatus: r.last_status,
      lastError: r.last_error,
      lastDeliveryAt: r.last_delivery_at,
      createdAt: r.created_at,
    }),
  );

const deliveryFields = {
  id: z.string(),
  endpoint_id: z.string(),
  event: z.string(),
  payload: z.unknown(),
  status: z.enum(["pending", "delivered", "failed"]),
  attempts: z.number(),
  response_status: z.number().nullable(),
  error: z.string().nullable(),
  created_at: stamp,
};
const toDelivery = (r: z.infer<z.ZodObject<typeof deliveryFields>>): WebhookDelivery => ({
  id: r.id,
  endpointId: r.endpoint_id,
  event: r.event,
  payload: r.payload,
  status: r.status,
  attempts: r.attempts,
  responseStatus: r.response_status,
  error: r.error,
  createdAt: r.created_at,
});
const deliveryRow = z.object(deliveryFields).transform(toDelivery);
const deliveryWithEndpoint = z
  .object({ ...deliveryFields, url: z.string(), secret: z.string() })
  .transform((r) => ({ ...toDelivery(r), url: r.url, secret: r.secret }));

function parse<T>(what: string, schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new AppError("storage_failed", `The database answered an unexpected shape when asked to ${what}`, {
      cause: result.error,
    });
  }
  return result.data;
}

const json = (value: unknown): FunctionArg => ({ type: "jsonb", value: cleanText(value) });
const uuid = (value: string): FunctionArg => ({ type: "uuid", value });
const int = (value: number): FunctionArg => ({ type: "integer", value: Math.round(value) });

/** The following port on top of a function caller (the adapters differ only there). */
export function followingStore(call: CallFunction): FollowingStore {
  const one = async <T>(what: string, schema: z.ZodType<T>, name: string, args: Record<string, FunctionArg>) => {
    const value = await call(what, name, args);
    return value === null || value === undefined ? null : parse(what, schema, value);
  };
  const list = async <T>(what: string, schema: z.ZodType<T>, name: string, args: Record<string, FunctionArg>) =>
    (await one(what, z.array(schema), name, args)) ?? [];

  return {
    async createSubscription(input) {
      assertUrlSize(input.feedUrl, "feed URL");
      const result = await one(
        "create the subscription",
        z.object({ subscription: subscriptionRow, created: z.boolean() }),
        "create_subscription",
        { p: json(input) },
      );
      if (!result) throw new AppError("storage_failed", "Could not create the subscription");
      return result;
    },
    listSubscriptions: () => list("list subscriptions", subscriptionRow, "list_subscriptions", {}),
    async getSubscription(id) {
      if (!isUuid(id)) return null;
      return one("read the subscription", subscriptionRow, "get_subscription", { p_id: uuid(id) });
    },
    async updateSubscription(id, patch) {
      if (!isUuid(id)) return null;
      return one("update the subscription", subscriptionRow, "update_subscription", {
        p_id: uuid(id),
        p_patch: json(patch),
      });
    },
    async deleteSubscription(id) {
      if (!isUuid(id)) return false;
      return (await one("delete the subscription", z.boolean(), "delete_subscription", { p_id: uuid(id) })) === true;
    },
    claimDueSubscriptions: (limit, leaseSeconds) =>
      list("claim due subscriptions", z.object({ id: z.string(), feedUrl: z.string() }), "claim_due_subscriptions", {
        p_limit: int(limit),
        p_lease_seconds: int(leaseSeconds),
      }),
    async recordPoll(id, outcome, limits) {
      if (!isUuid(id)) return null;
      return one(
        "record the poll",
        z.object({
          subscription: subscriptionRow,
          found: z.number(),
          added: z.number(),
          queue: z.array(z.object({ id: z.string(), url: z.string().nullable(), title: z.string() })),
          pausedNow: z.boolean(),
        }),
        "record_poll",
        { p_id: uuid(id), p: json({ ...outcome, ...limits }) },
      );
    },
    async setSubscriptionItem(id, patch) {
      if (!isUuid(id)) return null;
      return one("update the subscription item", itemRow, "set_subscription_item", {
        p_id: uuid(id),
        p: json(patch),
      });
    },
    async listSubscriptionItems(subscriptionId, limit = 100) {
      if (!isUuid(subscriptionId)) return [];
      return list("list the subscription's items", itemRow, "list_subscription_items", {
        p_id: uuid(subscriptionId),
        p_limit: int(limit),
      });
    },
    async createWebhook(input) {
      assertUrlSize(input.url, "webhook URL");
      const row = await one("create the webhook", webhookRow, "create_webhook", { p: json(input) });
      if (!row) throw new AppError("storage_failed", "Could not create the webhook");
      return row;
    },
    listWebhooks: () => list("list webhooks", webhookRow, "list_webhooks", {}),
    async deleteWebhook(id) {
      if (!isUuid(id)) return false;
      return (await one("delete the webhook", z.boolean(), "delete_webhook", { p_id: uuid(id) })) === true;
    },
    async addWebhookDeliveries(deliveries) {
      if (deliveries.length === 0) return [];
      return list("record webhook deliveries", deliveryRow, "add_webhook_deliveries", { p: json(deliveries) });
    },
    getWebhookDelivery: (id) =>
      one("read the webhook delivery", deliveryWithEndpoint, "get_webhook_delivery", {
        p_id: { type: "text", value: id },
      }),
    recordWebhookAttempt: (id, attempt) =>
      one("record the webhook attempt", deliveryRow, "record_webhook_attempt", {
        p_id: { type: "text", value: id },
        p: json(attempt),
      }),
    async listWebhookDeliveries(endpointId, limit = 20) {
      if (!isUuid(endpointId)) return [];
      return list("list webhook deliveries", deliveryRow, "list_webhook_deliveries", {
        p_endpoint_id: uuid(endpointId),
        p_limit: int(limit),
      });
    },
    dueWebhookDeliveries: (limit) =>
      list("list due webhook deliveries", z.string(), "due_webhook_deliveries", { p_limit: int(limit) }),
  };
}

/** The SQL adapter's caller: `select name($1::type, …)`. */
export function sqlFunctionCaller(
  run: <T extends object>(what: string, text: string, params?: unknown[]) => Promise<T[]>,
): CallFunction {
  return async (what, name, args) => {
    const entries = Object.values(args);
    const placeholders = entries.map((a, i) =>
      a.type === "jsonb" ? `$${i + 1}::text::jsonb` : `$${i + 1}::${a.type}`,
    );
    const params = entries.map((a) => (a.type === "jsonb" ? JSON.stringify(a.value ?? null) : a.value));
    const [row] = await run<{ result: unknown }>(what, `select ${name}(${placeholders.join(", ")}) as result`, params);
    return row?.result ?? null;
  };
}
