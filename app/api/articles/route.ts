import { ARTICLE_STATES } from "@/lib/domain";
import { adminRoute } from "@/lib/http/api";
import { dayParam, enumParam, intParam } from "@/lib/http/request-guard";
import { getServices } from "@/lib/services";
import { libraryQueryFrom } from "@/lib/ui/library";

const FILTERS = ["kind", "tag", "site", "from", "to", "sort", "page", "state", "favorite", "read"];
const BOOLEANS = ["true", "false"] as const;

/**
 * The library: full-text search with `?q=`, newest first without it; `?cursor=` pages. With any of `kind, tag,
 * site, from, to, sort, page, state, favorite, read` it answers the library page's shape instead:
 * `{ total, items, facets }`. The reader's filters are checked: a value outside their set is a named 400.
 */
export const GET = adminRoute(async (request) => {
  const params = new URL(request.url).searchParams;
  const { store } = await getServices();
  if (FILTERS.some((f) => params.has(f))) {
    enumParam(params, "state", [...ARTICLE_STATES, "all"]);
    enumParam(params, "favorite", BOOLEANS);
    enumParam(params, "read", BOOLEANS);
    enumParam(params, "sort", ["relevance", "newest"]);
    dayParam(params, "from");
    dayParam(params, "to");
    intParam(params, "page", 1, 1, 5_000);
    return Response.json(await store.browseLibrary(libraryQueryFrom(Object.fromEntries(params))));
  }
  const page = await store.searchArticles({
    q: params.get("q") ?? undefined,
    cursor: params.get("cursor") ?? undefined,
    limit: intParam(params, "limit", 20, 1, 100),
  });
  return Response.json(page);
});
