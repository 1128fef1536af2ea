import { getServices } from "@/lib/services";
import { itemState } from "@/lib/ui/following";

/** The library's show/feed filter: a select of the subscriptions (none: nothing drawn). A server component. */
export async function FeedFilter({ selected }: { selected?: string }) {
  const { store } = await getServices();
  const subscriptions = await store.listSubscriptions();
  if (subscriptions.length === 0) return null;
  return (
    <form className="row small card wrap" action="/articles" aria-label="Filter by show or feed">
      <label htmlFor="feed">Show or feed</label>
      <select id="feed" name="feed" defaultValue={selected ?? ""}>
        <option value="">All articles</option>
        {subscriptions.map((s) => (
          <option key={s.id} value={s.id}>
            {s.title || s.feedUrl}
          </option>
        ))}
      </select>
      <button type="submit" className="small-button">
        Show
      </button>
    </form>
  );
}

/** The articles one subscription brought into the library, newest first. */
export async function FeedArticles({ id }: { id: string }) {
  const { store } = await getServices();
  const subscription = await store.getSubscription(id);
  if (!subscription) return <p className="muted">No such show or feed.</p>;
  const items = (await store.listSubscriptionItems(id, 500)).filter((i) => itemState(i) === "summarized");
  return (
    <section aria-label={`Articles from ${subscription.title || subscription.feedUrl}`}>
      <p className="muted small">
        {items.length} summarized from {subscription.title || subscription.feedUrl} ·{" "}
        <a href={`/admin/following/${id}`}>every item, summarized or not</a> · <a href="/articles">all articles</a>
      </p>
      <ul className="library">
        {items.map((item) => (
          <li key={item.id} className="library-item">
            <a className="library-title" href={`/articles/${item.articleId}`}>
              {item.title || item.url}
            </a>
            {item.publishedAt ? <span className="small muted"> · {item.publishedAt.slice(0, 10)}</span> : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
