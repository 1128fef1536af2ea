import { z } from "zod";
import { AppError } from "@/lib/errors";
import { requireSubscription } from "@/lib/feeds/service";
import { adminRoute, readJson } from "@/lib/http/api";
import { intParam } from "@/lib/http/request-guard";
import { languageField } from "@/lib/jobs/language-field";
import { getServices } from "@/lib/services";

/** The subscription and its items, newest first, each with its job's status and article (summarized or not). */
export const GET = adminRoute<{ id: string }>(async (request, { id }) => {
  const services = await getServices();
  const subscription = await requireSubscription(id, services);
  const limit = intParam(new URL(request.url).searchParams, "limit", 100, 1, 500);
  return Response.json({ ...subscription, items: await services.store.listSubscriptionItems(id, limit) });
});

const patchSchema = z
  .object({ paused: z.boolean().optional(), lang: languageField.nullable(), autoSummarize: z.boolean().optional() })
  .strict();

export const PATCH = adminRoute<{ id: string }>(async (request, { id }) => {
  const body = patchSchema.safeParse(await readJson(request));
  if (!body.success) {
    throw new AppError("invalid_body", 'Send { "paused"?: boolean, "lang"?: "en" | null, "autoSummarize"?: boolean }', {
      cause: body.error,
    });
  }
  const { store } = await getServices();
  const patch = { ...body.data, ...(body.data.lang === undefined && "lang" in body.data ? { lang: null } : {}) };
  const subscription = await store.updateSubscription(id, patch);
  if (!subscription) throw new AppError("not_found", "No such subscription");
  return Response.json(subscription);
});

export const DELETE = adminRoute<{ id: string }>(async (_request, { id }) => {
  const { store } = await getServices();
  if (!(await store.deleteSubscription(id))) throw new AppError("not_found", "No such subscription");
  return new Response(null, { status: 204 });
});
