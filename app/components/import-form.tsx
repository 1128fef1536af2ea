"use client";

import { type FormEvent, useEffect, useId, useState } from "react";
import type { ImportReport } from "@/lib/import/types";

const FORMAT_NAMES: Record<string, string> = {
  "pocket-html": "Pocket (HTML) or bookmarks",
  "pocket-csv": "Pocket (CSV)",
  instapaper: "Instapaper (CSV)",
  omnivore: "Omnivore (JSON/CSV)",
  readwise: "Readwise Reader (CSV)",
  csv: "CSV",
  urls: "URL list",
};

const entries = (n: number) => `${n.toLocaleString("en")} ${n === 1 ? "entry" : "entries"}`;

/** Whether the report can still change: entries undecided, jobs waiting to start or running. */
function stillMoving(report: ImportReport): boolean {
  return (
    report.status === "queued" ||
    report.status === "running" ||
    (report.jobs.queued ?? 0) > 0 ||
    (report.jobs.running ?? 0) > 0
  );
}

/** Upload an export, then follow the import: entries decided, jobs handed over and finished, what was refused. */
export function ImportForm({ initialId }: { initialId: string | null }) {
  const fileId = useId();
  const [file, setFile] = useState<File | null>(null);
  const [importId, setImportId] = useState<string | null>(initialId);
  const [report, setReport] = useState<ImportReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!importId) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const response = await fetch(`/api/import/${importId}`);
        const body = (await response.json()) as ImportReport & { error?: { message?: string } };
        if (stopped) return;
        if (!response.ok) {
          setError(body.error?.message ?? `HTTP ${response.status}`);
          return;
        }
        setReport(body);
        if (stillMoving(body)) timer = setTimeout(poll, 1_500);
      } catch (cause) {
        if (!stopped) {
          setError(`Could not reach the server (${String(cause)}); trying again`);
          timer = setTimeout(poll, 5_000);
        }
      }
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [importId]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!file) {
      setError("Choose an export file first");
      return;
    }
    setBusy(true);
    setError(null);
    setReport(null);
    try {
      const response = await fetch(`/api/import?filename=${encodeURIComponent(file.name)}`, {
        method: "POST",
        headers: { "content-type": file.type || "application/octet-stream" },
        body: file,
      });
      const body = (await response.json()) as { importId?: string; error?: { message?: string } };
      if (!response.ok || !body.importId) {
        setError(body.error?.message ?? `HTTP ${response.status}`);
        return;
      }
      setImportId(body.importId);
      window.history.replaceState(null, "", `/admin/import?id=${body.importId}`);
    } catch (cause) {
      setError(`Could not reach the server (${String(cause)})`);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <form className="submit" onSubmit={submit} aria-label="Import">
        <label htmlFor={fileId}>Export file</label>
        <input
          id={fileId}
          type="file"
          accept=".html,.htm,.csv,.json,.txt,text/html,text/csv,application/json,text/plain"
          aria-describedby={`${fileId}-hint`}
          onChange={(event) => setFile(event.currentTarget.files?.[0] ?? null)}
        />
        <p id={`${fileId}-hint`} className="hint small muted">
          The format is recognised from the file itself. A ZIP archive must be unzipped first.
        </p>
        <button type="submit" disabled={busy}>
          {busy ? "Uploading…" : "Import"}
        </button>
      </form>
      {error && (
        <p className="job-error" role="alert">
          {error}
        </p>
      )}
      {report && <ImportProgress report={report} />}
    </>
  );
}

function ImportProgress({ report }: { report: ImportReport }) {
  const decided = report.total - report.counts.pending;
  const finished = (report.jobs.completed ?? 0) + (report.jobs.failed ?? 0) + (report.jobs.cancelled ?? 0);
  return (
    <section className="submit import-report" aria-labelledby="import-report-title">
      <h2 id="import-report-title">
        {report.filename ?? "Import"} · {FORMAT_NAMES[report.format] ?? report.format} · {report.status}
      </h2>
      {report.message && <p className="job-error">{report.message}</p>}
      <label htmlFor="import-decided">
        Entries read: {decided.toLocaleString("en")} of {report.total.toLocaleString("en")}
      </label>
      <progress id="import-decided" value={decided} max={Math.max(report.total, 1)} />
      <label htmlFor="import-finished">
        Jobs finished: {finished.toLocaleString("en")} of {report.counts.queued.toLocaleString("en")}
      </label>
      <progress id="import-finished" value={finished} max={Math.max(report.counts.queued, 1)} />
      <dl className="import-counts" aria-live="polite">
        <dt>Queued as jobs</dt>
        <dd>{report.counts.queued.toLocaleString("en")}</dd>
        <dt>Started</dt>
        <dd>{report.counts.dispatched.toLocaleString("en")}</dd>
        <dt>Completed</dt>
        <dd>{(report.jobs.completed ?? 0).toLocaleString("en")}</dd>
        <dt>Failed</dt>
        <dd>
          {(report.jobs.failed ?? 0).toLocaleString("en")}
          {(report.jobs.failed ?? 0) > 0 && (
            <>
              {" "}
              (<a href="/admin/failures">failure inbox</a>)
            </>
          )}
        </dd>
        <dt>Already there</dt>
        <dd>{report.counts.duplicate.toLocaleString("en")}</dd>
        <dt>Refused</dt>
        <dd>{report.counts.refused.toLocaleString("en")}</dd>
      </dl>
      {report.refused.length > 0 && (
        <EntryTable caption={`Refused: ${entries(report.refused.length)}`} entries={report.refused} />
      )}
      {report.duplicates.length > 0 && (
        <details>
          <summary>Already in the library or queued: {entries(report.duplicates.length)}</summary>
          <EntryTable caption="Duplicates" entries={report.duplicates} />
        </details>
      )}
    </section>
  );
}

function EntryTable({ caption, entries }: { caption: string; entries: ImportReport["refused"] }) {
  return (
    <table className="failures">
      <caption className="import-caption">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Entry</th>
          <th scope="col">URL</th>
          <th scope="col">Why</th>
        </tr>
      </thead>
      <tbody>
        {entries.map((entry) => (
          <tr key={entry.position}>
            <td>{entry.position + 1}</td>
            <td className="url-cell">
              <span className="url">{entry.url}</span>
            </td>
            <td>
              <code>{entry.reason}</code> {entry.message}
              {entry.articleId && (
                <>
                  {" "}
                  <a href={`/articles/${entry.articleId}`}>Open the article</a>
                </>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
