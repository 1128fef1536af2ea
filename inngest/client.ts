import { eventType, Inngest } from "inngest";
import { z } from "zod";
import { getConfig } from "@/lib/env";

export const articleSubmitted = eventType("article/submitted", {
  schema: z.object({
    jobId: z.string().min(1),
    url: z.string().min(1),
    force: z.boolean().optional(),
    // Unique per dispatch of a job (first run, then each retry): the idempotency key.
    runKey: z.string().min(1),
  }),
});

export const articleCancelled = eventType("article/cancelled", {
  schema: z.object({ jobId: z.string().min(1) }),
});

const config = getConfig();

export const inngest = new Inngest({
  id: "article-summarizer",
  eventKey: config.inngest.eventKey,
  signingKey: config.inngest.signingKey,
  // Any INNGEST_DEV value other than "0" means the local Dev Server (a URL picks which one).
  isDev: config.inngest.dev !== undefined ? config.inngest.dev !== "0" : undefined,
  baseUrl: config.inngest.baseUrl ?? (config.inngest.dev?.startsWith("http") ? config.inngest.dev : undefined),
});
