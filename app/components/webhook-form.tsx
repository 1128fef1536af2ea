"use client";

import { useRouter } from "next/navigation";
import { useId, useState } from "react";

const EVENTS = ["article.saved", "job.failed", "subscription.paused"] as const;

/** A new webhook endpoint; its signing secret is shown here once. */
export function WebhookForm() {
  const router = useRouter();
  const id = useId();
  const [url, setUrl] = useState("");
  const [events, setEvents] = useState<string[]>([...EVENTS]);
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  return (
    <form
      className="card"
      onSubmit={async (event) => {
        event.preventDefault();
        setError(null);
        setSecret(null);
        const response = await fetch("/api/webhooks", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ url, events }),
        });
        const body = (await response.json().catch(() => null)) as {
          secret?: string;
          error?: { message?: string };
        } | null;
        if (!response.ok) {
          setError(body?.error?.message ?? `HTTP ${response.status}`);
          return;
        }
        setSecret(body?.secret ?? null);
        setUrl("");
        router.refresh();
      }}
    >
      <label htmlFor={`${id}-url`}>Webhook URL</label>
      <div className="row wrap">
        <input id={`${id}-url`} type="url" required value={url} onChange={(e) => setUrl(e.target.value)} />
        <button type="submit" disabled={events.length === 0}>
          Add webhook
        </button>
      </div>
      <fieldset className="row small wrap">
        <legend>Events</legend>
        {EVENTS.map((name) => (
          <label key={name}>
            <input
              type="checkbox"
              checked={events.includes(name)}
              onChange={(e) =>
                setEvents((current) => (e.target.checked ? [...current, name] : current.filter((x) => x !== name)))
              }
            />{" "}
            {name}
          </label>
        ))}
      </fieldset>
      {secret ? (
        <p role="status">
          Signing secret (shown once, keep it now): <code style={{ overflowWrap: "anywhere" }}>{secret}</code>
        </p>
      ) : null}
      {error ? (
        <p role="alert" className="form-error">
          {error}
        </p>
      ) : null}
    </form>
  );
}
