"use client";

import { useRouter } from "next/navigation";
import { useId, useState } from "react";

/** Follow a feed, a page naming one, an Apple Podcasts show or a YouTube channel; and OPML import. */
export function FollowForm() {
  const router = useRouter();
  const id = useId();
  const [url, setUrl] = useState("");
  const [backfill, setBackfill] = useState(1);
  const [auto, setAuto] = useState(true);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  const errorText = async (response: Response) => {
    const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
    return body?.error?.message ?? `HTTP ${response.status}`;
  };

  return (
    <div className="card">
      <form
        onSubmit={async (event) => {
          event.preventDefault();
          setBusy(true);
          setMessage(null);
          const response = await fetch("/api/subscriptions", {
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify({ url, backfill, autoSummarize: auto }),
          });
          setBusy(false);
          if (!response.ok) {
            setMessage({ ok: false, text: await errorText(response) });
            return;
          }
          const created = (await response.json()) as { title: string; feedUrl: string };
          setMessage({
            ok: true,
            text: `${response.status === 201 ? "Following" : "Already following"} ${created.title || created.feedUrl}`,
          });
          setUrl("");
          router.refresh();
        }}
      >
        <label htmlFor={`${id}-url`}>Feed URL</label>
        <div className="row wrap">
          <input
            id={`${id}-url`}
            type="url"
            required
            value={url}
            placeholder="A feed, a blog, an Apple Podcasts show, a YouTube channel"
            onChange={(e) => setUrl(e.target.value)}
          />
          <button type="submit" disabled={busy}>
            Follow
          </button>
        </div>
        <div className="row small wrap">
          <label htmlFor={`${id}-backfill`}>Existing items to summarize now</label>
          <input
            id={`${id}-backfill`}
            type="number"
            min={0}
            max={50}
            value={backfill}
            onChange={(e) => setBackfill(Math.max(0, Math.min(50, Number(e.target.value) || 0)))}
          />
          <label>
            <input type="checkbox" checked={auto} onChange={(e) => setAuto(e.target.checked)} /> Summarize new items
          </label>
        </div>
      </form>
      <form
        className="row small wrap"
        onSubmit={async (event) => {
          event.preventDefault();
          const input = event.currentTarget.elements.namedItem("opml") as HTMLInputElement | null;
          const file = input?.files?.[0];
          if (!file) return;
          setMessage(null);
          const response = await fetch("/api/subscriptions/import", {
            method: "POST",
            headers: { "Content-Type": "text/x-opml" },
            body: await file.text(),
          });
          if (!response.ok) {
            setMessage({ ok: false, text: await errorText(response) });
            return;
          }
          const result = (await response.json()) as { added: number; existing: number; refused: unknown[] };
          setMessage({
            ok: true,
            text: `Imported ${result.added} new, ${result.existing} already followed, ${result.refused.length} refused`,
          });
          router.refresh();
        }}
      >
        <label htmlFor={`${id}-opml`}>OPML file</label>
        <input id={`${id}-opml`} name="opml" type="file" accept=".opml,.xml,text/xml,text/x-opml" />
        <button type="submit" className="small-button">
          Import OPML
        </button>
        <a className="small-button button" href="/api/subscriptions/export">
          Export OPML
        </a>
      </form>
      <p role="status" className={message?.ok === false ? "form-error" : "muted"}>
        {message?.text ?? ""}
      </p>
    </div>
  );
}
