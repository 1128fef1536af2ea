"use client";

import { useEffect, useMemo, useState } from "react";
import { JobCard } from "./job-card";

export interface InboxItem {
  id: string;
  url: string;
  reason: string;
  message: string | null;
  step: string | null;
  attempts: number;
  updatedAt: string;
}

const DISMISSED_KEY = "article-summarizer:dismissed-failures";

function readDismissed(): Set<string> {
  try {
    const raw = window.localStorage.getItem(DISMISSED_KEY);
    return new Set(raw ? (JSON.parse(raw) as string[]) : []);
  } catch {
    return new Set();
  }
}

/** Failed jobs: filter by reason, select, retry (selected or every job of a reason), dismiss. */
export function FailureInbox({ items, initialReason }: { items: InboxItem[]; initialReason: string }) {
  const [reason, setReason] = useState(initialReason);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  // Dismissal is this browser's triage state; the job itself stays failed and retriable through the API.
  const [dismissed, setDismissed] = useState<Set<string>>(new Set());
  const [retried, setRetried] = useState<string[]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  useEffect(() => setDismissed(readDismissed()), []);

  const open = useMemo(
    () => items.filter((i) => !dismissed.has(i.id) && !retried.includes(i.id)),
    [items, dismissed, retried],
  );
  const counts = useMemo(() => {
    const map = new Map<string, number>();
    for (const item of open) map.set(item.reason, (map.get(item.reason) ?? 0) + 1);
    return [...map.entries()].sort((a, b) => b[1] - a[1]);
  }, [open]);
  const visible = reason ? open.filter((i) => i.reason === reason) : open;
  const selectedVisible = visible.filter((i) => selected.has(i.id));

  const setFilter = (value: string) => {
    setReason(value);
    setSelected(new Set());
    const url = new URL(window.location.href);
    if (value) url.searchParams.set("reason", value);
    else url.searchParams.delete("reason");
    window.history.replaceState(null, "", url);
  };

  const retry = async (ids: string[]) => {
    setBusy(true);
    const failures: Record<string, string> = {};
    const started: string[] = [];
    for (const id of ids) {
      try {
        const response = await fetch(`/api/jobs/${id}/retry`, { method: "POST" });
        if (response.ok) started.push(id);
        else {
          const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
          failures[id] = body?.error?.message ?? `HTTP ${response.status}`;
        }
      } catch (cause) {
        failures[id] = `Could not reach the server (${String(cause)})`;
      }
    }
    setErrors(failures);
    setRetried((current) => [...started, ...current]);
    setSelected(new Set());
    setBusy(false);
  };

  const dismiss = (ids: string[]) => {
    const next = new Set([...dismissed, ...ids]);
    setDismissed(next);
    setSelected(new Set());
    try {
      window.localStorage.setItem(DISMISSED_KEY, JSON.stringify([...next].slice(-1_000)));
    } catch {
      // Private mode: the dismissal lasts for this page only.
    }
  };

  const toggle = (id: string) =>
    setSelected((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  const allVisibleSelected = visible.length > 0 && selectedVisible.length === visible.length;

  return (
    <div className="inbox">
      {retried.length > 0 ? (
        <section aria-label="Retrying" className="jobs">
          <h2>Retrying</h2>
          {retried.map((id) => (
            <JobCard key={id} jobId={id} />
          ))}
        </section>
      ) : null}

      {items.length === 0 || open.length === 0 ? (
        <div className="empty">
          <p className="empty-title">{items.length === 0 ? "Nothing has failed" : "Inbox cleared"}</p>
          <p className="muted">
            Jobs that stop with a reason — a missing page, a paywall, no readable text — land here to be retried or
            dismissed.
          </p>
          {dismissed.size > 0 ? (
            <button type="button" className="secondary" onClick={() => restore(setDismissed)}>
              Show dismissed
            </button>
          ) : null}
        </div>
      ) : (
        <>
          <div className="toolbar">
            <label className="inline-select">
              <span>Reason</span>
              <select value={reason} onChange={(e) => setFilter(e.target.value)}>
                <option value="">All reasons ({open.length})</option>
                {counts.map(([r, n]) => (
                  <option key={r} value={r}>
                    {r} ({n})
                  </option>
                ))}
              </select>
            </label>
            <div className="toolbar-actions">
              <button
                type="button"
                disabled={busy || selectedVisible.length === 0}
                onClick={() => retry(selectedVisible.map((i) => i.id))}
              >
                Retry selected{selectedVisible.length ? ` (${selectedVisible.length})` : ""}
              </button>
              {reason ? (
                <button type="button" disabled={busy} onClick={() => retry(visible.map((i) => i.id))}>
                  Retry all {reason} ({visible.length})
                </button>
              ) : null}
              <button
                type="button"
                className="secondary"
                disabled={busy || selectedVisible.length === 0}
                onClick={() => dismiss(selectedVisible.map((i) => i.id))}
              >
                Dismiss{selectedVisible.length ? ` (${selectedVisible.length})` : ""}
              </button>
            </div>
          </div>
          <table className="failures">
            <caption className="visually-hidden">Failed jobs{reason ? ` with reason ${reason}` : ""}</caption>
            <thead>
              <tr>
                <th scope="col">
                  <input
                    type="checkbox"
                    aria-label="Select all shown"
                    checked={allVisibleSelected}
                    onChange={() => setSelected(allVisibleSelected ? new Set() : new Set(visible.map((i) => i.id)))}
                  />
                </th>
                <th scope="col">URL</th>
                <th scope="col">Reason</th>
                <th scope="col">When</th>
              </tr>
            </thead>
            <tbody>
              {visible.map((item) => (
                <tr key={item.id} data-job-id={item.id}>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`Select ${item.url}`}
                      checked={selected.has(item.id)}
                      onChange={() => toggle(item.id)}
                    />
                  </td>
                  <td className="url-cell">
                    <a className="url" href={`/admin?job=${item.id}`}>
                      {item.url}
                    </a>
                    {item.message ? <span className="small muted block">{item.message}</span> : null}
                    {errors[item.id] ? (
                      <span className="form-error small block" role="alert">
                        Retry failed: {errors[item.id]}
                      </span>
                    ) : null}
                  </td>
                  <td>
                    <span className="badge status-failed">{item.reason}</span>
                    {item.step ? <span className="small muted block">at {item.step}</span> : null}
                  </td>
                  <td className="small muted nowrap">
                    <time dateTime={item.updatedAt}>{formatWhen(item.updatedAt)}</time>
                    {item.attempts > 1 ? <span className="block">{item.attempts} runs</span> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}

function restore(setDismissed: (s: Set<string>) => void) {
  try {
    window.localStorage.removeItem(DISMISSED_KEY);
  } catch {
    // Nothing stored.
  }
  setDismissed(new Set());
}

function formatWhen(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toISOString().slice(0, 16).replace("T", " ");
}
