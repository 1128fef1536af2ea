import { AppError, toAppError } from "../errors";
import { submitJob } from "../jobs/service";
import type { SafeFetch } from "../net/types";
import type { StepRunner } from "../ports";
import type { Services } from "../services";
import type { PollLimits, PollOutcome, Subscription } from "../store/following";
import { emitWebhook } from "../webhooks/emit";
import { FEED_MAX_BYTES, polledItems, readFeed } from "./parse";

export type FeedServices = Pick<Services, "store" | "kv" | "runner" | "now" | "config" | "logger" | "fetch">;

/** At most 20 jobs per poll; every 30 minutes; errors double the wait up to a day; 10 in a row pause. */
export const POLL_LIMITS: PollLimits = {
  maxJobs: 20,
  intervalSeconds: 30 * 60,
  maxBackoffSeconds: 24 * 60 * 60,
  maxFailures: 10,
};
const FEED_TIMEOUT_MS = 20_000;

const ACCEPT_FEEDS =
  "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5";

/**
 * One conditional GET of the feed and what it says: `not_modified` (a 304 is not parsed), the items with their keys,
 * or the error by name (the fetcher's: blocked_url, too_large, timeout, http_error…; the reader's: too_large,
 * unsupported_content).
 */
export async function checkFeed(
  subscription: Pick<Subscription, "feedUrl" | "etag" | "lastModified">,
  fetch: SafeFetch,
): Promise<PollOutcome> {
  try {
    const response = await fetch(subscription.feedUrl, {
      headers: {
        Accept: ACCEPT_FEEDS,
        ...(subscription.etag ? { "If-None-Match": subscription.etag } : {}),
        ...(subscription.lastModified ? { "If-Modified-Since": subscription.lastModified } : {}),
      },
      maxBytes: FEED_MAX_BYTES,
      timeoutMs: FEED_TIMEOUT_MS,
    });
    if (response.status === 304) return { outcome: "not_modified" };
    const feed = readFeed(response);
    return {
      outcome: "ok",
      etag: response.headers.etag?.slice(0, 500) ?? null,
      lastModified: response.headers["last-modified"]?.slice(0, 100) ?? null,
      title: feed.title.slice(0, 500),
      items: polledItems(feed),
    };
  } catch (error) {
    const failure = toAppError(error);
    if (failure.reason === "storage_failed") throw failure;
    const shown = failure.toPublic();
    return { outcome: "error", error: { reason: shown.reason, message: shown.message } };
  }
}

export interface PollReport {
  subscriptionId: string;
  outcome: PollOutcome["outcome"] | "skipped";
  found: number;
  added: number;
  /** Jobs started by this poll. */
  jobs: string[];
  pausedNow: boolean;
}

const direct: StepRunner = { run: (_id, fn) => fn() };

/**
 * One poll, written once against a step runner (Inngest's `step`, or direct calls inline and in the CLI): check
 * the feed and record the outcome (one step), then one step per item to queue (so a retry never submits twice),
 * then, when this poll's failure paused the subscription, the `subscription.paused` webhook.
 */
export async function pollSubscription(
  subscriptionId: string,
  services: FeedServices,
  step: StepRunner = direct,
): Promise<PollReport> {
  const checked = await step.run("check", async () => {
    const subscription = await services.store.getSubscription(subscriptionId);
    if (!subscription || subscription.paused) return null;
    const record = await services.store.recordPoll(
      subscriptionId,
      await checkFeed(subscription, services.fetch),
      POLL_LIMITS,
    );
    if (!record) return null;
    const { subscription: after } = record;
    return {
      outcome: after.lastPoll?.outcome ?? "ok",
      found: record.found,
      added: record.added,
      queue: record.queue,
      lang: after.lang,
      pausedNow: record.pausedNow,
      title: after.title,
      feedUrl: after.feedUrl,
      pausedReason: after.pausedReason,
    };
  });
  if (!checked) return { subscriptionId, outcome: "skipped", found: 0, added: 0, jobs: [], pausedNow: false };
  const jobs: string[] = [];
  for (const item of checked.queue) {
    const jobId = await step.run(`queue:${item.id}`, () => queueItem(item, checked.lang, services));
    if (jobId) jobs.push(jobId);
  }
  if (checked.pausedNow) {
    await step.run("notify-paused", () =>
      emitWebhook(
        "subscription.paused",
        { subscriptionId, title: checked.title, feedUrl: checked.feedUrl, reason: checked.pausedReason },
        services,
      ),
    );
  }
  services.logger.info("subscription polled", {
    subscriptionId,
    outcome: checked.outcome,
    found: checked.found,
    added: checked.added,
    jobs: jobs.length,
  });
  return {
    subscriptionId,
    outcome: checked.outcome,
    found: checked.found,
    added: checked.added,
    jobs,
    pausedNow: checked.pausedNow,
  };
}

/**
 * A job for one item, like any submitted URL (validated, deduplicated, dispatched); the item records it, or why
 * there is none (an item linking to a blocked address fails alone). Storage errors propagate (the step retries).
 */
export async function queueItem(
  item: { id: string; url: string | null },
  lang: string | null,
  services: FeedServices,
): Promise<string | null> {
  if (!item.url) {
    await services.store.setSubscriptionItem(item.id, { status: "failed", error: "The item has no link or media" });
    return null;
  }
  try {
    const { jobId } = await submitJob({ url: item.url, lang }, services);
    await services.store.setSubscriptionItem(item.id, { status: "queued", jobId, error: null });
    return jobId;
  } catch (error) {
    const failure = toAppError(error);
    if (failure.reason === "storage_failed") throw failure;
    await services.store.setSubscriptionItem(item.id, { status: "failed", error: failure.toPublic().message });
    return null;
  }
}

/** "Summarize" for an item a poll skipped (or whose job failed): a job now. */
export async function summarizeItem(subscriptionId: string, itemId: string, services: FeedServices): Promise<string> {
  const subscription = await services.store.getSubscription(subscriptionId);
  const item = subscription
    ? (await services.store.listSubscriptionItems(subscriptionId, 1_000)).find((i) => i.id === itemId)
    : undefined;
  if (!subscription || !item) throw new AppError("not_found", "No such item in this subscription");
  if (!item.url) throw new AppError("no_media", "The item has no link or media to summarize");
  const { jobId } = await submitJob({ url: item.url, lang: subscription.lang }, services);
  await services.store.setSubscriptionItem(item.id, { status: "queued", jobId, error: null });
  return jobId;
}

const hostOf = (url: string) => {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
};

/**
 * One pass over the due subscriptions in this process (the inline timer and `npm run feeds:poll`): at most
 * `concurrency` polls at once and `perHost` per host, each subscription claimed first so two processes never
 * poll one feed in the same round.
 */
export async function pollDue(
  services: FeedServices,
  options: { limit?: number; concurrency?: number; perHost?: number } = {},
): Promise<PollReport[]> {
  const due = await services.store.claimDueSubscriptions(options.limit ?? 500, 10 * 60);
  return pollMany(due, services, options);
}

/** Polls these subscriptions in this process, `concurrency` at once and `perHost` per feed host. */
export async function pollMany(
  due: { id: string; feedUrl: string }[],
  services: FeedServices,
  options: { concurrency?: number; perHost?: number } = {},
): Promise<PollReport[]> {
  const concurrency = options.concurrency ?? 8;
  const perHost = options.perHost ?? 2;
  const waiting = [...due];
  const busy = new Map<string, number>();
  const reports: PollReport[] = [];
  const worker = async (): Promise<void> => {
    for (;;) {
      const index = waiting.findIndex((s) => (busy.get(hostOf(s.feedUrl)) ?? 0) < perHost);
      if (index === -1) {
        if (waiting.length === 0) return;
        // Every waiting feed's host is at its limit: wait for a poll to end.
        await new Promise((resolve) => setTimeout(resolve, 20));
        continue;
      }
      const [next] = waiting.splice(index, 1);
      if (!next) return;
      const host = hostOf(next.feedUrl);
      busy.set(host, (busy.get(host) ?? 0) + 1);
      try {
        reports.push(await pollSubscription(next.id, services));
      } catch (error) {
        services.logger.warn("subscription poll failed", { subscriptionId: next.id, error });
      } finally {
        busy.set(host, (busy.get(host) ?? 1) - 1);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, due.length) }, worker));
  return reports;
}
