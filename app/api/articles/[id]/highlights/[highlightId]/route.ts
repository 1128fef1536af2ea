import { deleteHighlight } from "@/lib/articles/service";
import { adminRoute } from "@/lib/http/api";
import { getServices } from "@/lib/services";

export const DELETE = adminRoute<{ id: string; highlightId: string }>(async (_request, { id, highlightId }) => {
  await deleteHighlight(id, highlightId, await getServices());
  return new Response(null, { status: 204 });
});
