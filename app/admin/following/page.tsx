import { redirect } from "next/navigation";
import { AdminTabs } from "@/app/components/admin-tabs";
import { ApiAction } from "@/app/components/api-button";
import { FollowForm } from "@/app/components/follow-form";
import { pageIsAuthorized } from "@/lib/http/api";
import { getServices } from "@/lib/services";
import { lastPollText } from "@/lib/ui/following";

const when = (iso: string | null) => (iso ? new Date(iso).toISOString().slice(0, 16).replace("T", " ") : "never");

export default async function FollowingPage() {
  if (!(await pageIsAuthorized())) redirect("/login");
  const { store } = await getServices();
  const subscriptions = await store.listSubscriptions();
  return (
    <>
      <div className="page-head">
        <h1>Following</h1>
        <AdminTabs current="following" />
      </div>
      <p className="muted">
        Shows, blogs and channels: their new items are summarized on their own. Polled every 30 minutes; a feed that
        fails 10 times in a row is paused with the reason.
      </p>
      <FollowForm />
      {subscriptions.length === 0 ? (
        <p className="muted">Nothing followed yet.</p>
      ) : (
        <ul className="jobs" aria-label="Subscriptions">
          {subscriptions.map((s) => {
            const name = s.title || s.feedUrl;
            return (
              <li key={s.id} className="card">
                <h2 className="job-title">
                  <a href={`/admin/following/${s.id}`}>{name}</a> <span className="badge">{s.kind}</span>
                  {s.paused ? <span className="badge"> paused</span> : null}
                </h2>
                <p className="small muted" style={{ overflowWrap: "anywhere" }}>
                  {s.feedUrl}
                </p>
                <p className="small">
                  Last polled {when(s.lastPolledAt)} · next poll {s.paused ? "paused" : when(s.nextPollAt)} ·{" "}
                  {s.itemsSeen} items seen{s.autoSummarize ? "" : " · new items not summarized"}
                </p>
                <p className="small">{lastPollText(s)}</p>
                {s.pausedReason ? <p className="small form-error">{s.pausedReason}</p> : null}
                {s.lastError && !s.pausedReason ? (
                  <p className="small form-error">
                    Last error ({s.lastError.reason}): {s.lastError.message}
                  </p>
                ) : null}
                <div className="row wrap">
                  {s.paused ? null : (
                    <ApiAction
                      url={`/api/subscriptions/${s.id}/poll`}
                      method="POST"
                      label="Poll now"
                      accessibleName={`Poll now: ${name}`}
                    />
                  )}
                  <ApiAction
                    url={`/api/subscriptions/${s.id}`}
                    method="PATCH"
                    json={{ paused: !s.paused }}
                    label={s.paused ? "Resume" : "Pause"}
                    accessibleName={`${s.paused ? "Resume" : "Pause"} ${name}`}
                  />
                  <ApiAction
                    url={`/api/subscriptions/${s.id}`}
                    method="DELETE"
                    label="Unfollow"
                    accessibleName={`Unfollow ${name}`}
                    confirmText={`Unfollow ${name}? Its articles stay in the library.`}
                  />
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </>
  );
}
