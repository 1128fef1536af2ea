import { z } from "zod";
import { AppError } from "@/lib/errors";
import { adminRoute, readJson } from "@/lib/http/api";
import { assertFetchableUrl } from "@/lib/net/safe-fetch";
import { getServices } from "@/lib/services";
import { WEBHOOK_EVENTS } from "@/lib/store/following";
import { newWebhookSecret } from "@/lib/webhooks/sign";
import { publicWebhook } from "@/lib/webhooks/view";

const createSchema = z.object({
  url: z.string().trim().min(1).max(2_048),
  events: z.array(z.enum(WEBHOOK_EVENTS)).min(1).max(WEBHOOK_EVENTS.length),
});

/** A new endpoint: 201 with its signing secret, shown this once. The URL is checked by the SSRF guard now too. */
export const POST = adminRoute(async (request) => {
  const body = createSchema.safeParse(await readJson(request));
  if (!body.success) {
    throw new AppError("invalid_body", `Send { "url": "https://…", "events": [${WEBHOOK_EVENTS.join(", ")}] }`, {
      cause: body.error,
    });
  }
  const services = await getServices();
  const url = await assertFetchableUrl(body.data.url, { allowlist: services.config.fetchAllowlist });
  const endpoint = await services.store.createWebhook({
    url,
    events: [...new Set(body.data.events)],
    secret: newWebhookSecret(),
  });
  return Response.json({ ...publicWebhook(endpoint), secret: endpoint.secret }, { status: 201 });
});

export const GET = adminRoute(async () => {
  const { store } = await getServices();
  return Response.json({ webhooks: (await store.listWebhooks()).map(publicWebhook) });
});
