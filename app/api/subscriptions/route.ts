import { after } from "next/server";
import { z } from "zod";
import { AppError } from "@/lib/errors";
import { requestPoll } from "@/lib/feeds/dispatch";
import { subscribe } from "@/lib/feeds/service";
import { adminRoute, readJson } from "@/lib/http/api";
import { languageField } from "@/lib/jobs/language-field";
import { getServices } from "@/lib/services";

const subscribeSchema = z.object({
  url: z.string().trim().min(1).max(8_192),
  lang: languageField,
  autoSummarize: z.boolean().optional(),
  backfill: z.number().int().min(0).max(50).optional(),
});

/** Follow a feed, a page naming one, an Apple Podcasts show or a YouTube channel/handle/playlist. */
export const POST = adminRoute(async (request) => {
  const body = subscribeSchema.safeParse(await readJson(request));
  if (!body.success) {
    throw new AppError(
      "invalid_body",
      'Send { "url": "https://…", "lang"?: "en", "autoSummarize"?: true, "backfill"?: 0–50 }',
      { cause: body.error },
    );
  }
  const services = await getServices();
  const { subscription, created } = await subscribe(body.data, services);
  // The first poll takes the backfill now rather than at the next tick.
  if (created) await requestPoll(subscription, services, (work) => after(work));
  return Response.json(subscription, {
    status: created ? 201 : 200,
    headers: { Location: `/api/subscriptions/${subscription.id}` },
  });
});

/** Every subscription: last and next poll, items seen, last error, what the last poll found. */
export const GET = adminRoute(async () => {
  const { store } = await getServices();
  return Response.json({ subscriptions: await store.listSubscriptions() });
});
