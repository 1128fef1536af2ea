import { notFound, redirect } from "next/navigation";
import { AdminTabs } from "@/app/components/admin-tabs";
import { ApiAction } from "@/app/components/api-button";
import { pageIsAuthorized } from "@/lib/http/api";
import { getServices } from "@/lib/services";
import { canSummarize, itemState, lastPollText } from "@/lib/ui/following";

/** One subscription: its items, summarized or not, with "Summarize" for the ones skipped or failed. */
export default async function SubscriptionPage({ params }: { params: Promise<{ id: string }> }) {
  if (!(await pageIsAuthorized())) redirect("/login");
  const [{ store }, { id }] = await Promise.all([getServices(), params]);
  const subscription = await store.getSubscription(id);
  if (!subscription) notFound();
  const items = await store.listSubscriptionItems(id, 200);
  const name = subscription.title || subscription.feedUrl;
  return (
    <>
      <div className="page-head">
        <h1>{name}</h1>
        <AdminTabs current="following" />
      </div>
      <p className="small muted">
        {subscription.kind} · <a href={subscription.feedUrl}>feed</a> · {subscription.itemsSeen} items seen ·{" "}
        {lastPollText(subscription)}
      </p>
      {items.length === 0 ? (
        <p className="muted">No items yet: the first poll has not run.</p>
      ) : (
        <ul className="jobs" aria-label="Items">
          {items.map((item) => {
            const state = itemState(item);
            const title = item.title || item.url || "Untitled";
            return (
              <li key={item.id} className="card">
                <p>
                  {item.articleId && state === "summarized" ? (
                    <a href={`/articles/${item.articleId}`}>{title}</a>
                  ) : (
                    title
                  )}{" "}
                  <span className="badge">{state}</span>
                </p>
                {item.error ? <p className="small form-error">{item.error}</p> : null}
                <p className="small muted">
                  {item.publishedAt ? `Published ${item.publishedAt.slice(0, 10)} · ` : ""}seen{" "}
                  {item.seenAt.slice(0, 10)}
                  {item.jobId ? (
                    <>
                      {" · "}
                      <a href={`/admin?job=${item.jobId}`}>job</a>
                    </>
                  ) : null}
                </p>
                {canSummarize(state) ? (
                  <ApiAction
                    url={`/api/subscriptions/${id}/items/${item.id}/summarize`}
                    method="POST"
                    label="Summarize"
                    accessibleName={`Summarize ${title}`}
                  />
                ) : null}
              </li>
            );
          })}
        </ul>
      )}
    </>
  );
}
