import { AppError } from "@/lib/errors";
import { adminRoute } from "@/lib/http/api";
import { getServices } from "@/lib/services";
import { emitWebhook } from "@/lib/webhooks/emit";

/** "Send test": one signed delivery to this endpoint only (as `article.saved`, with `test: true`). 202. */
export const POST = adminRoute<{ id: string }>(async (_request, { id }) => {
  const services = await getServices();
  const [deliveryId] = await emitWebhook("article.saved", { test: true }, services, id);
  if (!deliveryId) throw new AppError("not_found", "No such webhook");
  return Response.json({ deliveryId }, { status: 202 });
});
