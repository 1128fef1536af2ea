import { after } from "next/server";
import { requestPoll } from "@/lib/feeds/dispatch";
import { requireSubscription } from "@/lib/feeds/service";
import { adminRoute } from "@/lib/http/api";
import { getServices } from "@/lib/services";

/** Polls now; 202: the poll runs after the answer. A paused subscription is not polled (resume it first). */
export const POST = adminRoute<{ id: string }>(async (_request, { id }) => {
  const services = await getServices();
  const subscription = await requireSubscription(id, services);
  await requestPoll(subscription, services, (work) => after(work));
  return Response.json({ subscriptionId: id, polling: true }, { status: 202 });
});
