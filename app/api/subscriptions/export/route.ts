import { toOpml } from "@/lib/feeds/opml";
import { adminRoute } from "@/lib/http/api";
import { getServices } from "@/lib/services";

export const GET = adminRoute(async () => {
  const { store, now } = await getServices();
  return new Response(toOpml(await store.listSubscriptions(), new Date(now())), {
    headers: {
      "Content-Type": "text/x-opml; charset=utf-8",
      "Content-Disposition": 'attachment; filename="subscriptions.opml"',
    },
  });
});
