import { adminRoute } from "@/lib/http/api";
import { intParam } from "@/lib/http/request-guard";
import { getServices } from "@/lib/services";

/** The library: full-text search with `?q=`, newest first without it; `?cursor=` pages. */
export const GET = adminRoute(async (request) => {
  const params = new URL(request.url).searchParams;
  const { store } = await getServices();
  const page = await store.searchArticles({
    q: params.get("q") ?? undefined,
    cursor: params.get("cursor") ?? undefined,
    limit: intParam(params, "limit", 20, 1, 100),
  });
  return Response.json(page);
});
