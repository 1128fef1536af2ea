import { eventType, Inngest } from "inngest";
import { z } from "zod";
import { type InngestSettings, inngestSettings } from "@/lib/env";

export const articleSubmitted = eventType("article/submitted", {
  schema: z.object({
    jobId: z.string().min(1),
    url: z.string().min(1),
    force: z.boolean().optional(),
    // Unique per dispatch of a job (first run, then each retry): the idempotency key.
    runKey: z.string().min(1),
    // A summary job makes a new summary version of an existing article (lib/pipeline/summarize-article.ts).
    kind: z.enum(["article", "summary"]).optional(),
    articleId: z.string().optional(),
    lang: z.string().max(35).nullable().optional(),
    model: z.string().max(200).nullable().optional(),
  }),
});

export const articleCancelled = eventType("article/cancelled", {
  schema: z.object({ jobId: z.string().min(1) }),
});

export function createInngestClient(settings: InngestSettings) {
  return new Inngest({
    id: "article-summarizer",
    eventKey: settings.eventKey,
    signingKey: settings.signingKey,
    signingKeyFallback: settings.signingKeyFallback,
    // Always explicit, so the SDK's own reading of INNGEST_DEV cannot switch signature verification off: dev mode
    // only where lib/env.ts allows it (INNGEST_DEV as the SDK parses it, never in production).
    isDev: settings.dev,
    baseUrl: settings.baseUrl ?? settings.devUrl,
  });
}

export const inngest = createInngestClient(inngestSettings());

/** One poll of one subscription (the feeds cron fans these out; POST /api/subscriptions/:id/poll sends one). */
export const subscriptionPoll = eventType("subscription/poll", {
  schema: z.object({
    subscriptionId: z.string().min(1),
    // The feed's host: the poll function's throttle and concurrency key (one host is never hammered).
    host: z.string().min(1),
  }),
});

/** One webhook delivery, already recorded (its id is the webhook-id and the event id). */
export const webhookDeliver = eventType("webhook/deliver", {
  schema: z.object({ deliveryId: z.string().min(1) }),
});

/** An uploaded library export to work through (its entries are already stored; the id is also the event id). */
export const importRequested = eventType("import/requested", {
  schema: z.object({ importId: z.string().min(1) }),
});
