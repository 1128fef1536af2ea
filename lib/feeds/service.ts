import { AppError, toAppError } from "../errors";
import { assertFetchableUrl } from "../net/safe-fetch";
import type { Services } from "../services";
import type { Subscription } from "../store/following";
import { resolveFeed } from "./discover";
import { parseOpml } from "./opml";
import type { FeedServices } from "./poll";

export interface SubscribeInput {
  url: string;
  lang?: string | null;
  autoSummarize?: boolean;
  backfill?: number;
}

/**
 * Follows a URL: finds its feed (a feed, a page naming one, an Apple Podcasts show, a YouTube channel, handle or
 * playlist), reads it once to know its title, and records the subscription, due at once. The same feed twice is
 * one subscription (`created: false`).
 */
export async function subscribe(
  input: SubscribeInput,
  services: FeedServices & Pick<Services, "reader">,
): Promise<{ subscription: Subscription; created: boolean }> {
  const url = await assertFetchableUrl(input.url, { allowlist: services.config.fetchAllowlist, resolve: false });
  const feed = await resolveFeed(url, services);
  return services.store.createSubscription({
    url,
    feedUrl: feed.feedUrl,
    kind: feed.kind,
    format: feed.format,
    title: feed.title.slice(0, 500),
    siteUrl: feed.feed.siteUrl,
    lang: input.lang ?? null,
    autoSummarize: input.autoSummarize ?? true,
    backfill: input.backfill ?? 1,
  });
}

export interface ImportResult {
  added: number;
  existing: number;
  refused: { url: string; reason: string; message: string }[];
}

/**
 * OPML import: each outline's feed URL is checked like every submitted URL (the guard's static rules) and recorded as it is,
 * without fetching it here: 1,000 feeds are read by their first polls, spread by the cron and its per-host limits.
 * Imported subscriptions start from now (backfill 0), so an import does not summarize whole back catalogues.
 */
export async function importOpml(text: string, services: Pick<Services, "store" | "config">): Promise<ImportResult> {
  const result: ImportResult = { added: 0, existing: 0, refused: [] };
  for (const outline of parseOpml(text)) {
    try {
      const feedUrl = await assertFetchableUrl(outline.xmlUrl, {
        allowlist: services.config.fetchAllowlist,
        resolve: false,
      });
      const { created } = await services.store.createSubscription({
        url: outline.htmlUrl ?? feedUrl,
        feedUrl,
        kind: "feed",
        format: "rss",
        title: outline.title,
        siteUrl: outline.htmlUrl ?? null,
        lang: null,
        autoSummarize: true,
        backfill: 0,
      });
      if (created) result.added++;
      else result.existing++;
    } catch (error) {
      const failure = toAppError(error);
      if (failure.reason === "storage_failed") throw failure;
      const shown = failure.toPublic();
      result.refused.push({ url: outline.xmlUrl.slice(0, 2048), reason: shown.reason, message: shown.message });
    }
  }
  return result;
}

export async function requireSubscription(id: string, services: Pick<Services, "store">): Promise<Subscription> {
  const subscription = await services.store.getSubscription(id);
  if (!subscription) throw new AppError("not_found", "No such subscription");
  return subscription;
}
