"use client";

import { useEffect, useId, useMemo, useRef, useState } from "react";
import { planRetry, type RetryPlan, retryQuestion } from "@/lib/ui/reasons";
import { JobCard } from "./job-card";

export interface InboxItem {
  id: string;
  url: string;
  reason: string;
  message: string | null;
  step: string | null;
  attempts: number;
  updatedAt: string;
  /** Set when the job was dismissed from the inbox (stored with the job, so every browser agrees). */
  dismissedAt: string | null;
  /** What the failing step said of a retry (a 404 is permanent); absent: the reason's default. */
  retriable?: boolean;
}

/** A bulk retry waiting for an answer, and the button that asked (focus goes back to it). */
interface Asking {
  /** Every chosen job, in the inbox's order. */
  ids: string[];
  plan: RetryPlan;
  from: HTMLButtonElement;
}

type Outcome = { ok: string[]; failed: Record<string, string> };

/** One request per job, in order; each job's own error is kept for its row. */
async function forEach(ids: string[], method: "POST" | "DELETE", action: string): Promise<Outcome> {
  const outcome: Outcome = { ok: [], failed: {} };
  for (const id of ids) {
    try {
      const response = await fetch(`/api/jobs/${id}/${action}`, { method });
      if (response.ok) outcome.ok.push(id);
      else {
        const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
        outcome.failed[id] = body?.error?.message ?? `HTTP ${response.status}`;
      }
    } catch (cause) {
      outcome.failed[id] = `Could not reach the server (${String(cause)})`;
    }
  }
  return outcome;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** Failed jobs: filter by reason, select, retry (selected or every job of a reason), dismiss and restore. */
export function FailureInbox({ items, initialReason }: { items: InboxItem[]; initialReason: string }) {
  const [reason, setReason] = useState(initialReason);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [dismissed, setDismissed] = useState<Set<string>>(
    () => new Set(items.filter((i) => i.dismissedAt).map((i) => i.id)),
  );
  const [showDismissed, setShowDismissed] = useState(false);
  // The last dismissal, for its Undo.
  const [lastDismissed, setLastDismissed] = useState<string[]>([]);
  const [retried, setRetried] = useState<string[]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [asking, setAsking] = useState<Asking | null>(null);
  const questionId = useId();
  const firstAnswer = useRef<HTMLButtonElement>(null);
  // The button that asked, focused again once the question is put away unanswered (and the button enabled again).
  const returnFocus = useRef<HTMLButtonElement | null>(null);

  useEffect(() => {
    if (asking) firstAnswer.current?.focus();
    else {
      returnFocus.current?.focus();
      returnFocus.current = null;
    }
  }, [asking]);

  const open = useMemo(
    () => items.filter((i) => !dismissed.has(i.id) && !retried.includes(i.id)),
    [items, dismissed, retried],
  );
  const hidden = useMemo(
    () => items.filter((i) => dismissed.has(i.id) && !retried.includes(i.id)),
    [items, dismissed, retried],
  );
  const counts = useMemo(() => {
    const map = new Map<string, number>();
    for (const item of open) map.set(item.reason, (map.get(item.reason) ?? 0) + 1);
    // The chosen reason stays listed (with 0) once all its jobs were retried or dismissed.
    if (reason && !map.has(reason)) map.set(reason, 0);
    return [...map.entries()].sort((a, b) => b[1] - a[1]);
  }, [open, reason]);
  const matches = (i: InboxItem) => !reason || i.reason === reason;
  const visible = open.filter(matches);
  const visibleHidden = hidden.filter(matches);
  const selectedVisible = visible.filter((i) => selected.has(i.id));

  const setFilter = (value: string) => {
    setReason(value);
    setSelected(new Set());
    // A question about jobs chosen under another filter no longer applies.
    setAsking(null);
    const url = new URL(window.location.href);
    if (value) url.searchParams.set("reason", value);
    else url.searchParams.delete("reason");
    window.history.replaceState(null, "", url);
  };

  const run = async (ids: string[], method: "POST" | "DELETE", action: string): Promise<string[]> => {
    setBusy(true);
    const outcome = await forEach(ids, method, action);
    setErrors(outcome.failed);
    setSelected(new Set());
    setBusy(false);
    return outcome.ok;
  };

  const retry = async (ids: string[]) => {
    const started = await run(ids, "POST", "retry");
    setRetried((current) => [...started, ...current]);
    setLastDismissed([]);
  };

  /** Retries at once when none of the jobs failed permanently; else asks which to retry. */
  const askRetry = (jobs: InboxItem[], from: HTMLButtonElement) => {
    const plan = planRetry(jobs);
    if (plan.permanent.length === 0) void retry(plan.retriable);
    else setAsking({ ids: jobs.map((j) => j.id), plan, from });
  };

  const answer = (ids: string[] | null) => {
    if (!ids) returnFocus.current = asking?.from ?? null;
    setAsking(null);
    if (ids) void retry(ids);
  };

  const dismiss = async (ids: string[]) => {
    const done = await run(ids, "POST", "dismiss");
    setDismissed((current) => new Set([...current, ...done]));
    setLastDismissed(done);
  };

  const restore = async (ids: string[]) => {
    const done = await run(ids, "DELETE", "dismiss");
    setDismissed((current) => new Set([...current].filter((id) => !done.includes(id))));
    setLastDismissed([]);
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
            <JobCard key={id} jobId={id} url={items.find((i) => i.id === id)?.url} />
          ))}
        </section>
      ) : null}

      <p className="inbox-status" role="status">
        {lastDismissed.length > 0 ? (
          <>
            Dismissed {plural(lastDismissed.length, "job")}.{" "}
            <button type="button" className="link" disabled={busy} onClick={() => restore(lastDismissed)}>
              Undo
            </button>
          </>
        ) : null}
      </p>

      {open.length === 0 ? (
        <div className="empty">
          <p className="empty-title">{items.length === 0 ? "Nothing has failed" : "Inbox cleared"}</p>
          <p className="muted">
            Jobs that stop with a reason — a missing page, a paywall, no readable text — land here to be retried or
            dismissed.
          </p>
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
                disabled={busy || asking !== null || selectedVisible.length === 0}
                onClick={(e) => askRetry(selectedVisible, e.currentTarget)}
              >
                Retry selected{selectedVisible.length ? ` (${selectedVisible.length})` : ""}
              </button>
              {reason && visible.length > 0 ? (
                <button
                  type="button"
                  disabled={busy || asking !== null}
                  onClick={(e) => askRetry(visible, e.currentTarget)}
                >
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
          {asking ? (
            <div
              className="confirm"
              role="alertdialog"
              aria-labelledby={questionId}
              onKeyDown={(e) => {
                if (e.key === "Escape") answer(null);
              }}
            >
              <p id={questionId}>{retryQuestion(asking.plan)}</p>
              <div className="confirm-actions">
                {asking.plan.retriable.length > 0 ? (
                  <button ref={firstAnswer} type="button" onClick={() => answer(asking.plan.retriable)}>
                    Retry only the retriable ({asking.plan.retriable.length})
                  </button>
                ) : null}
                <button
                  ref={asking.plan.retriable.length > 0 ? undefined : firstAnswer}
                  type="button"
                  className={asking.plan.retriable.length > 0 ? "secondary" : undefined}
                  onClick={() => answer(asking.ids)}
                >
                  Retry all ({asking.ids.length})
                </button>
                <button type="button" className="secondary" onClick={() => answer(null)}>
                  Cancel
                </button>
              </div>
            </div>
          ) : null}
          {visible.length === 0 ? (
            <p className="empty-filter muted">
              No open failures with reason {reason}.{" "}
              <button type="button" className="link" onClick={() => setFilter("")}>
                Show all reasons
              </button>
            </p>
          ) : (
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
                    <JobCells item={item} error={errors[item.id]} />
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}

      {visibleHidden.length > 0 ? (
        <section className="dismissed" aria-label="Dismissed jobs">
          <button
            type="button"
            className="secondary"
            aria-expanded={showDismissed}
            aria-controls="dismissed-jobs"
            onClick={() => setShowDismissed((shown) => !shown)}
          >
            {showDismissed ? "Hide dismissed" : "Show dismissed"} ({visibleHidden.length})
          </button>
          {showDismissed ? (
            <table className="failures" id="dismissed-jobs">
              <caption className="visually-hidden">Dismissed jobs{reason ? ` with reason ${reason}` : ""}</caption>
              <thead>
                <tr>
                  <th scope="col">
                    <span className="visually-hidden">Restore</span>
                  </th>
                  <th scope="col">URL</th>
                  <th scope="col">Reason</th>
                  <th scope="col">When</th>
                </tr>
              </thead>
              <tbody>
                {visibleHidden.map((item) => (
                  <tr key={item.id} data-job-id={item.id} data-dismissed="true">
                    <td>
                      <button
                        type="button"
                        className="secondary small-button"
                        disabled={busy}
                        aria-label={`Restore ${item.url}`}
                        onClick={() => restore([item.id])}
                      >
                        Restore
                      </button>
                    </td>
                    <JobCells item={item} error={errors[item.id]} />
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </section>
      ) : null}
    </div>
  );
}

/** A row's URL (with its message and the last action's error), reason and time: the same in both tables. */
function JobCells({ item, error }: { item: InboxItem; error: string | undefined }) {
  return (
    <>
      <td className="url-cell">
        <a className="url" href={`/admin?job=${item.id}`}>
          {item.url}
        </a>
        {item.message ? <span className="small muted block">{item.message}</span> : null}
        {error ? (
          <span className="form-error small block" role="alert">
            {error}
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
    </>
  );
}

function formatWhen(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toISOString().slice(0, 16).replace("T", " ");
}
