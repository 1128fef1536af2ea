import { redirect } from "next/navigation";
import { SafeHtml } from "@/app/components/safe-html";
import { pageIsAuthorized } from "@/lib/http/api";
import { snippetHtml } from "@/lib/render/safe-html";
import { getServices } from "@/lib/services";

export default async function LibraryPage({
  searchParams,
}: {
  searchParams: Promise<{ q?: string; cursor?: string }>;
}) {
  if (!(await pageIsAuthorized())) redirect("/login");
  const { q, cursor } = await searchParams;
  const { store } = await getServices();
  const page = await store.searchArticles({ q: q || undefined, cursor, limit: 20 });

  return (
    <>
      <h1>Library</h1>
      <form className="search" aria-label="Search the library">
        <label htmlFor="q">Search</label>
        <div className="row">
          <input
            id="q"
            name="q"
            type="search"
            defaultValue={q ?? ""}
            placeholder="Words in titles, text, transcripts"
          />
          <button type="submit">Search</button>
        </div>
      </form>
      {page.items.length === 0 ? <p className="muted">Nothing here yet.</p> : null}
      <ul className="library">
        {page.items.map((item) => (
          <li key={item.id}>
            <a href={`/articles/${item.id}`}>{item.title}</a>
            <span className="muted small"> · {item.siteName ?? new URL(item.url).hostname}</span>
            {/* Snippets carry <b> highlights from the database; sanitized like any other HTML. */}
            {item.snippet ? (
              <SafeHtml className="small" html={snippetHtml(item.snippet)} />
            ) : (
              <p className="small">{item.tldr}</p>
            )}
          </li>
        ))}
      </ul>
      {page.nextCursor ? (
        <a href={`/articles?${new URLSearchParams({ ...(q ? { q } : {}), cursor: page.nextCursor })}`}>Older →</a>
      ) : null}
    </>
  );
}
