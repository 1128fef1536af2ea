import { adminRoute } from "@/lib/http/api";
import { intParam } from "@/lib/http/request-guard";
import { getServices } from "@/lib/services";
import { libraryQueryFrom } from "@/lib/ui/library";

const FILTERS = ["kind", "tag", "site", "from", "to", "sort", "page"];

/**
 * The library: full-text search with `?q=`, newest first without it; `?cursor=` pages. With any of `kind, tag,
 * site, from, to, sort, page` it answers the library page's shape instead: `{ total, items, facets }`.
 */
export const GET = adminRoute(async (request) => {
  const params = new URL(request.url).searchParams;
  const { store } = await getServices();
  if (FILTERS.some((f) => params.has(f))) {
    return Response.json(await store.browseLibrary(libraryQueryFrom(Object.fromEntries(params))));
  }
  const page = await store.searchArticles({
    q: params.get("q") ?? undefined,
    cursor: params.get("cursor") ?? undefined,
    limit: intParam(params, "limit", 20, 1, 100),
  });
  return Response.json(page);
});
