import { AppError } from "@/lib/errors";
import { adminRoute } from "@/lib/http/api";
import { getServices } from "@/lib/services";
import { publicWebhook } from "@/lib/webhooks/view";

/** The endpoint (without its secret) and its latest deliveries. */
export const GET = adminRoute<{ id: string }>(async (_request, { id }) => {
  const { store } = await getServices();
  const endpoint = (await store.listWebhooks()).find((w) => w.id === id);
  if (!endpoint) throw new AppError("not_found", "No such webhook");
  return Response.json({ ...publicWebhook(endpoint), deliveries: await store.listWebhookDeliveries(id, 20) });
});

export const DELETE = adminRoute<{ id: string }>(async (_request, { id }) => {
  const { store } = await getServices();
  if (!(await store.deleteWebhook(id))) throw new AppError("not_found", "No such webhook");
  return new Response(null, { status: 204 });
});
