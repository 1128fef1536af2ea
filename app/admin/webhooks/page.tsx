import { redirect } from "next/navigation";
import { AdminTabs } from "@/app/components/admin-tabs";
import { ApiAction } from "@/app/components/api-button";
import { WebhookForm } from "@/app/components/webhook-form";
import { pageIsAuthorized } from "@/lib/http/api";
import { getServices } from "@/lib/services";

const when = (iso: string) => new Date(iso).toISOString().slice(0, 16).replace("T", " ");

/** Webhook endpoints: their events, last status, latest deliveries, "Send test". */
export default async function WebhooksPage() {
  if (!(await pageIsAuthorized())) redirect("/login");
  const { store } = await getServices();
  const endpoints = await store.listWebhooks();
  const deliveries = await Promise.all(endpoints.map((e) => store.listWebhookDeliveries(e.id, 5)));
  return (
    <>
      <div className="page-head">
        <h1>Webhooks</h1>
        <AdminTabs current="webhooks" />
      </div>
      <p className="muted">
        Signed deliveries (Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature) when an article is
        saved, a job fails or a subscription pauses itself; retried 8 times over about 4.5 hours.
      </p>
      <WebhookForm />
      {endpoints.length === 0 ? (
        <p className="muted">No webhooks yet.</p>
      ) : (
        <ul className="jobs" aria-label="Webhook endpoints">
          {endpoints.map((endpoint, i) => (
            <li key={endpoint.id} className="card">
              <h2 className="job-title" style={{ overflowWrap: "anywhere" }}>
                {endpoint.url}
              </h2>
              <p className="small">{endpoint.events.join(", ")}</p>
              <p className="small">
                {endpoint.lastDeliveryAt
                  ? `Last delivery ${when(endpoint.lastDeliveryAt)}: ${endpoint.lastStatus ? `HTTP ${endpoint.lastStatus}` : "no answer"}`
                  : "No deliveries yet"}
                {endpoint.lastError ? ` · ${endpoint.lastError}` : ""}
              </p>
              {(deliveries[i] ?? []).length > 0 ? (
                <ul className="small muted" aria-label={`Latest deliveries to ${endpoint.url}`}>
                  {(deliveries[i] ?? []).map((d) => (
                    <li key={d.id}>
                      {when(d.createdAt)} {d.event} — {d.status}
                      {d.responseStatus ? ` (HTTP ${d.responseStatus})` : ""}, {d.attempts} attempt
                      {d.attempts === 1 ? "" : "s"}
                      {d.error ? `: ${d.error}` : ""}
                    </li>
                  ))}
                </ul>
              ) : null}
              <div className="row wrap">
                <ApiAction
                  url={`/api/webhooks/${endpoint.id}/test`}
                  method="POST"
                  label="Send test"
                  accessibleName={`Send test to ${endpoint.url}`}
                />
                <ApiAction
                  url={`/api/webhooks/${endpoint.id}`}
                  method="DELETE"
                  label="Delete"
                  accessibleName={`Delete webhook ${endpoint.url}`}
                  confirmText={`Delete the webhook to ${endpoint.url}?`}
                />
              </div>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
