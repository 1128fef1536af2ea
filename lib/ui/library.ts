import { ARTICLE_STATES } from "../domain";
import { isCalendarDay } from "../http/request-guard";
import { LIBRARY_KINDS, type LibraryKind, type LibraryQuery } from "../store/store";

/** The library's URL state (pure, so the page, the API and tests read it the same way). */

export const PAGE_SIZE = 20;

export const KIND_LABEL: Record<LibraryKind, string> = {
  article: "Article",
  podcast: "Podcast",
  video: "Video",
  pdf: "PDF",
};

type Params = Record<string, string | string[] | undefined>;

const one = (value: string | string[] | undefined): string | undefined => {
  const v = Array.isArray(value) ? value[0] : value;
  return v?.trim() ? v.trim() : undefined;
};

/** The library's views: tabs over the reader's state. */
export type LibraryView = "inbox" | "favorites" | "archive" | "all";

export const LIBRARY_VIEWS: { id: LibraryView; label: string; params: Record<string, string | undefined> }[] = [
  { id: "inbox", label: "Inbox", params: { state: "inbox", favorite: undefined } },
  { id: "favorites", label: "Favourites", params: { state: "all", favorite: "true" } },
  { id: "archive", label: "Archive", params: { state: "archived", favorite: undefined } },
  { id: "all", label: "All", params: { state: "all", favorite: undefined } },
];

export const viewParams = (view: LibraryView): Record<string, string | undefined> =>
  LIBRARY_VIEWS.find((v) => v.id === view)?.params ?? {};

/** Which view the URL asks for: the inbox by default, everything for a search that names no view. */
export function libraryView(params: Params): LibraryView {
  const state = one(params.state);
  if (one(params.favorite) === "true") return "favorites";
  if (state === "archived") return "archive";
  if (state === "all") return "all";
  if (state === "inbox") return "inbox";
  return one(params.q) ? "all" : "inbox";
}

/** "true"/"false" as a filter; anything else is no filter. */
const flag = (value: string | undefined): boolean | undefined =>
  value === "true" ? true : value === "false" ? false : undefined;

/**
 * The library's query from URL parameters. `state`: "inbox" or "archived" filter, "all" (or absent) does not; the
 * page passes its own default (the inbox) when the URL names none.
 */
export function libraryQueryFrom(params: Params, view?: LibraryView): LibraryQuery & { page: number } {
  const kind = one(params.kind);
  const day = (v: string | undefined) => (v && isCalendarDay(v) ? v : undefined);
  const page = Math.min(Math.max(Number.parseInt(one(params.page) ?? "1", 10) || 1, 1), 5_000);
  const q = one(params.q)?.slice(0, 500);
  const sort = one(params.sort) === "relevance" ? "relevance" : one(params.sort) === "newest" ? "newest" : undefined;
  return {
    q,
    kind: LIBRARY_KINDS.find((k) => k === kind),
    tag: one(params.tag)?.slice(0, 100),
    site: one(params.site)?.slice(0, 200),
    from: day(one(params.from)),
    to: day(one(params.to)),
    // Relevance is the useful default while searching, newest otherwise.
    sort: sort ?? (q ? "relevance" : "newest"),
    state:
      view === "inbox"
        ? "inbox"
        : view === "archive"
          ? "archived"
          : ARTICLE_STATES.find((s) => s === one(params.state)),
    favorite: flag(one(params.favorite)),
    read: flag(one(params.read)),
    limit: PAGE_SIZE,
    offset: (page - 1) * PAGE_SIZE,
    page,
  };
}

/** A library URL with some of the current filters changed; empty values are dropped, the page resets unless given. */
export function libraryHref(current: Params, change: Record<string, string | number | undefined>): string {
  const next = new URLSearchParams();
  const keys = ["state", "favorite", "read", "q", "kind", "tag", "site", "from", "to", "sort", "page"];
  for (const key of keys) {
    const value = key in change ? change[key] : key === "page" ? undefined : one(current[key]);
    if (value !== undefined && value !== "" && !(key === "page" && Number(value) <= 1)) next.set(key, String(value));
  }
  const query = next.toString();
  return query ? `/articles?${query}` : "/articles";
}
