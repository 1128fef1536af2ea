import { deliverWebhookFn } from "./functions/deliver-webhook";
import { importRequestedFn } from "./functions/import-requested";
import { pollFeedsFn } from "./functions/poll-feeds";
import { pollSubscriptionFn } from "./functions/poll-subscription";
import { processArticleFn } from "./functions/process-article";
import { sweepStaleJobsFn } from "./functions/sweep-stale-jobs";
import { trimOldJobsFn } from "./functions/trim-old-jobs";

// Function ids (process-article, trim-old-jobs, sweep-stale-jobs, poll-feeds, poll-subscription, deliver-webhook,
// import-requested) and
// the app id (inngest/client.ts) are stable: Inngest keys runs, history and replays by them. Renaming one makes a new
// function in the dashboard.
export const functions = [
  processArticleFn,
  trimOldJobsFn,
  sweepStaleJobsFn,
  pollFeedsFn,
  pollSubscriptionFn,
  deliverWebhookFn,
  importRequestedFn,
];
