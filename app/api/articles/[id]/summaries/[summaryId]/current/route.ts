import { AppError } from "@/lib/errors";
import { adminRoute } from "@/lib/http/api";
import { getServices } from "@/lib/services";

/** Makes one of the article's summary versions the current one; answers the article. */
export const POST = adminRoute<{ id: string; summaryId: string }>(async (_request, { id, summaryId }) => {
  const { store } = await getServices();
  const article = await store.setCurrentSummary(id, summaryId);
  if (!article) throw new AppError("not_found", `No summary ${summaryId} of article ${id}`);
  return Response.json(article);
});
