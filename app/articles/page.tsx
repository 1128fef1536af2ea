import { redirect } from "next/navigation";
import { FeedArticles, FeedFilter } from "@/app/components/feed-filter";
import { SafeHtml } from "@/app/components/safe-html";
import { pageIsAuthorized } from "@/lib/http/api";
import { snippetHtml } from "@/lib/render/safe-html";
import { getServices } from "@/lib/services";
import { LIBRARY_KINDS, type LibraryKind } from "@/lib/store/store";
import { cleanHeadline } from "@/lib/ui/article";
import { KIND_LABEL, libraryHref, libraryQueryFrom, PAGE_SIZE } from "@/lib/ui/library";

type Params = Record<string, string | string[] | undefined>;

const KIND_ICON: Record<LibraryKind, string> = {
  article: "M4 3h12v14H4z M7 7h6 M7 10h6 M7 13h4",
  podcast: "M10 3a3 3 0 0 1 3 3v4a3 3 0 0 1-6 0V6a3 3 0 0 1 3-3z M5 10a5 5 0 0 0 10 0 M10 15v3",
  video: "M3 5h10v10H3z M13 8l4-2v8l-4-2",
  pdf: "M5 2h7l4 4v12H5z M12 2v4h4",
};

function KindIcon({ kind }: { kind: LibraryKind }) {
  return (
    <svg className="kind-icon" viewBox="0 0 20 20" width="20" height="20" aria-hidden="true">
      <path d={KIND_ICON[kind]} fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinejoin="round" />
    </svg>
  );
}

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
  const query = libraryQueryFrom(params);
  const { store } = await getServices();
  const result = await store.browseLibrary(query);
  const filtered = Boolean(query.kind || query.tag || query.site || query.from || query.to);
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
      <FeedFilter />
      <form className="library-filters card" action="/articles" aria-label="Search and filter the library">
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
          {filtered || query.q ? <a href="/articles">Clear all</a> : null}
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
                Try fewer words or fewer filters. <a href="/articles">Show everything</a>
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
        <ul className="library">
          {result.items.map((item) => {
            const date = shortDate(item.publishedTime) ?? shortDate(item.createdAt);
            return (
              <li key={item.id} className="library-item" data-kind={item.kind}>
                <KindIcon kind={item.kind} />
                <div className="library-body">
                  <a className="library-title" href={`/articles/${item.id}`}>
                    {cleanHeadline(item.title, item.siteName, item.url)}
                  </a>
                  <p className="small muted meta">
                    <span className="kind-label">{KIND_LABEL[item.kind]}</span>
                    {" · "}
                    {item.siteName ?? new URL(item.url).hostname}
                    {date ? ` · ${date}` : ""}
                  </p>
                  {/* Snippets carry <b> highlights from the database: escaped, then only the marks restored. */}
                  {item.snippet ? (
                    <SafeHtml className="small snippet" html={snippetHtml(item.snippet)} />
                  ) : (
                    <p className="small snippet">{item.tldr}</p>
                  )}
                  {item.tags.length > 0 ? (
                    <p className="tags">
                      {item.tags.slice(0, 5).map((tag) => (
                        <a key={tag} className="badge" href={libraryHref(params, { tag })}>
                          #{tag}
                        </a>
                      ))}
                    </p>
                  ) : null}
                </div>
              </li>
            );
          })}
        </ul>
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
