import { redirect } from "next/navigation";
import { FeedArticles, FeedFilter } from "@/app/components/feed-filter";
import { LibraryList, type LibraryRow } from "@/app/components/library-list";
import "../reader.css";
import { pageIsAuthorized } from "@/lib/http/api";
import { snippetHtml } from "@/lib/render/safe-html";
import { getServices } from "@/lib/services";
import { LIBRARY_KINDS } from "@/lib/store/store";
import { cleanHeadline } from "@/lib/ui/article";
import {
  KIND_LABEL,
  LIBRARY_VIEWS,
  libraryHref,
  libraryQueryFrom,
  libraryView,
  PAGE_SIZE,
  viewParams,
} from "@/lib/ui/library";

type Params = Record<string, string | string[] | undefined>;

function shortDate(value: string | null): string | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime())
    ? null
    : date.toLocaleDateString("en", { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" });
}

export default async function LibraryPage({ searchParams }: { searchParams: Promise<Params> }) {
  if (!(await pageIsAuthorized())) redirect("/login");
  const params = await searchParams;
  // A show or feed (issue 27): the articles its subscription brought in, instead of the library's search.
  const feed = typeof params.feed === "string" && params.feed ? params.feed : undefined;
  if (feed) {
    return (
      <>
        <div className="page-head">
          <h1>Library</h1>
        </div>
        <FeedFilter selected={feed} />
        <FeedArticles id={feed} />
      </>
    );
  }
  // The library opens on the inbox; a search without a view looks everywhere.
  const view = libraryView(params);
  const query = libraryQueryFrom(params, view);
  const { store } = await getServices();
  const result = await store.browseLibrary(query);
  const filtered = Boolean(query.kind || query.tag || query.site || query.from || query.to || query.read === false);
  const first = result.total === 0 ? 0 : (query.offset ?? 0) + 1;
  const last = (query.offset ?? 0) + result.items.length;
  const pages = Math.max(1, Math.ceil(result.total / PAGE_SIZE));

  return (
    <>
      <div className="page-head">
        <h1>Library</h1>
        <a className="button secondary" href="/admin">
          Summarize a URL
        </a>
      </div>
      <nav className="tabs" aria-label="Views">
        {LIBRARY_VIEWS.map((v) => (
          <a
            key={v.id}
            className="tab"
            href={libraryHref(params, v.params)}
            aria-current={view === v.id ? "page" : undefined}
          >
            {v.label}
          </a>
        ))}
      </nav>
      <FeedFilter />
      <form className="library-filters card" action="/articles" aria-label="Search and filter the library">
        {params.state ? <input type="hidden" name="state" value={String(params.state)} /> : null}
        {params.favorite ? <input type="hidden" name="favorite" value={String(params.favorite)} /> : null}
        <div className="search-row">
          <label htmlFor="q" className="visually-hidden">
            Search
          </label>
          <input
            id="q"
            name="q"
            type="search"
            defaultValue={query.q ?? ""}
            placeholder="Search titles, text and transcripts"
          />
          <button type="submit">Search</button>
        </div>
        <div className="filter-grid">
          <div className="field">
            <label htmlFor="f-kind">Kind</label>
            <select id="f-kind" name="kind" defaultValue={query.kind ?? ""}>
              <option value="">Any kind</option>
              {LIBRARY_KINDS.map((kind) => (
                <option key={kind} value={kind}>
                  {KIND_LABEL[kind]} ({result.facets.kind[kind] ?? 0})
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="f-tag">Tag</label>
            <select id="f-tag" name="tag" defaultValue={query.tag ?? ""}>
              <option value="">Any tag</option>
              {query.tag && !result.facets.tag.some(([t]) => t === query.tag) ? (
                <option value={query.tag}>{query.tag} (0)</option>
              ) : null}
              {result.facets.tag.map(([tag, n]) => (
                <option key={tag} value={tag}>
                  {tag} ({n})
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="f-site">Site</label>
            <select id="f-site" name="site" defaultValue={query.site ?? ""}>
              <option value="">Any site</option>
              {result.facets.site
                .filter(([site]) => site)
                .map(([site, n]) => (
                  <option key={site} value={site}>
                    {site} ({n})
                  </option>
                ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="f-from">Saved from</label>
            <input id="f-from" type="date" name="from" defaultValue={query.from ?? ""} />
          </div>
          <div className="field">
            <label htmlFor="f-to">Saved until</label>
            <input id="f-to" type="date" name="to" defaultValue={query.to ?? ""} />
          </div>
          <div className="field field-check">
            <label className="check" htmlFor="f-unread">
              <input id="f-unread" type="checkbox" name="read" value="false" defaultChecked={query.read === false} />
              Unread only
            </label>
          </div>
          <div className="field">
            <label htmlFor="f-sort">Sort</label>
            <select id="f-sort" name="sort" defaultValue={query.sort}>
              <option value="newest">Newest first</option>
              <option value="relevance">Most relevant</option>
            </select>
          </div>
        </div>
        <div className="filter-actions">
          <button type="submit" className="secondary">
            Apply filters
          </button>
          {filtered || query.q ? <a href={libraryHref({}, viewParams(view))}>Clear all</a> : null}
        </div>
      </form>

      <nav className="kind-chips" aria-label="Kinds">
        <a
          className="chip"
          href={libraryHref(params, { kind: undefined })}
          aria-current={!query.kind ? "page" : undefined}
        >
          All ({Object.values(result.facets.kind).reduce((a, b) => a + (b ?? 0), 0)})
        </a>
        {LIBRARY_KINDS.map((kind) => (
          <a
            key={kind}
            className="chip"
            href={libraryHref(params, { kind })}
            aria-current={query.kind === kind ? "page" : undefined}
          >
            {KIND_LABEL[kind]} ({result.facets.kind[kind] ?? 0})
          </a>
        ))}
      </nav>

      <p className="small muted" aria-live="polite" data-testid="library-count">
        {result.total === 0
          ? "No results"
          : `${first}–${last} of ${result.total} ${result.total === 1 ? "item" : "items"}`}
        {query.q ? ` for “${query.q}”` : ""}
      </p>

      {result.items.length === 0 ? (
        <div className="empty">
          {filtered || query.q ? (
            <>
              <p className="empty-title">Nothing matches</p>
              <p className="muted">
                Try fewer words or fewer filters. <a href={libraryHref({}, viewParams("all"))}>Show everything</a>
              </p>
            </>
          ) : view !== "all" ? (
            <>
              <p className="empty-title">
                {view === "inbox"
                  ? "Your inbox is empty"
                  : view === "archive"
                    ? "Nothing archived yet"
                    : "No favourites yet"}
              </p>
              <p className="muted">
                <a href={libraryHref({}, viewParams("all"))}>Show everything</a> or <a href="/admin">summarize a URL</a>
              </p>
            </>
          ) : (
            <>
              <p className="empty-title">Your library is empty</p>
              <p className="muted">
                Summaries you make are saved here. <a href="/admin">Summarize your first URL</a>
              </p>
            </>
          )}
        </div>
      ) : (
        <LibraryList
          key={`${view}:${query.page}:${result.items.map((i) => i.id).join(",")}`}
          viewState={query.state ?? null}
          rows={result.items.map(
            (item): LibraryRow => ({
              id: item.id,
              title: cleanHeadline(item.title, item.siteName, item.url),
              kind: item.kind,
              kindLabel: KIND_LABEL[item.kind],
              meta: [
                item.siteName ?? new URL(item.url).hostname,
                shortDate(item.publishedTime) ?? shortDate(item.createdAt),
              ]
                .filter(Boolean)
                .join(" · "),
              // Snippets carry <b> highlights from the database: escaped, then only the marks restored.
              snippetHtml: item.snippet ? snippetHtml(item.snippet) : null,
              tldr: item.tldr,
              tags: item.tags.slice(0, 5).map((tag) => ({ tag, href: libraryHref(params, { tag }) })),
              state: item.state,
              read: item.read,
              favorite: item.favorite,
            }),
          )}
        />
      )}

      {pages > 1 ? (
        <nav className="pager" aria-label="Pages">
          {query.page > 1 ? (
            <a href={libraryHref(params, { page: query.page - 1 })} rel="prev">
              ← Newer
            </a>
          ) : (
            <span />
          )}
          <span className="small muted">
            Page {query.page} of {pages}
          </span>
          {query.page < pages ? (
            <a href={libraryHref(params, { page: query.page + 1 })} rel="next">
              Older →
            </a>
          ) : (
            <span />
          )}
        </nav>
      ) : null}
    </>
  );
}
