import { eventType, Inngest } from "inngest";
import { z } from "zod";
import { inngestSettings } from "@/lib/env";

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

const settings = inngestSettings();

export const inngest = new Inngest({
  id: "article-summarizer",
  eventKey: settings.eventKey,
  signingKey: settings.signingKey,
  // Any INNGEST_DEV value other than "0" means the local Dev Server (a URL picks which one).
  isDev: settings.dev !== undefined ? settings.dev !== "0" : undefined,
  baseUrl: settings.baseUrl ?? (settings.dev?.startsWith("http") ? settings.dev : undefined),
});
