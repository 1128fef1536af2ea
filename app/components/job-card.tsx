"use client";

import { useEffect, useState } from "react";
import type { Article } from "@/lib/domain";
import { formatCost } from "@/lib/ui/format";
import { type JobView, progressLabel, type StageView, stageDurationMs } from "@/lib/ui/job-view";
import { useJobEvents } from "./use-job-events";

function formatMs(ms: number | undefined): string {
  if (ms === undefined) return "";
  if (ms < 1_000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1_000)} s`;
}

const STATE_LABEL: Record<StageView["state"], string> = {
  pending: "pending",
  running: "running",
  done: "done",
  reused: "reused",
  failed: "failed",
  skipped: "skipped",
};

interface SnapshotExtras {
  status?: JobView["status"];
  articleId?: string;
  reason?: string;
  message?: string;
  runId?: string;
  runUrl?: string;
  costUsd?: number | null;
}

/** One job, live: its stages with state and duration, then the summary or the reason it failed. */
export function JobCard({ jobId, onDismiss }: { jobId: string; onDismiss?: () => void }) {
  const { view, connection, follow } = useJobEvents(jobId);
  const [article, setArticle] = useState<Article | null>(null);
  const [extras, setExtras] = useState<SnapshotExtras>({});
  const [busy, setBusy] = useState<"retry" | "cancel" | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [now, setNow] = useState(() => Date.now());
  // A job whose progress log has expired (7 days) has no events: its row still says how it ended.
  const hasEvents = view.lastSeq > 0;
  const fromRow = !hasEvents && extras.status !== undefined;
  const status = fromRow && extras.status ? extras.status : view.status;
  const reason = fromRow ? extras.reason : view.reason;
  const message = fromRow ? extras.message : view.message;
  const articleId = view.articleId ?? (fromRow ? extras.articleId : undefined);
  const live = status === "running" || status === "queued";

  useEffect(() => {
    if (!live) return;
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, [live]);

  // The run link and the cost live on the job row (written by the runner and the save stage), not in every event.
  useEffect(() => {
    if (live && hasEvents) return;
    let cancelled = false;
    void fetch(`/api/jobs/${jobId}`, { cache: "no-store" })
      .then((r) => (r.ok ? (r.json() as Promise<SnapshotExtras>) : null))
      .then((s) => {
        if (!cancelled && s) setExtras(s);
      })
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [jobId, live, hasEvents]);

  useEffect(() => {
    if (!articleId) return;
    let cancelled = false;
    void fetch(`/api/articles/${articleId}`)
      .then((r) => (r.ok ? (r.json() as Promise<Article>) : null))
      .then((a) => {
        if (!cancelled) setArticle(a);
      })
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [articleId]);

  const act = async (action: "retry" | "cancel") => {
    setBusy(action);
    setActionError(null);
    try {
      const response = await fetch(`/api/jobs/${jobId}/${action}`, { method: "POST" });
      if (!response.ok) {
        const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
        setActionError(
          `${action === "retry" ? "Retry" : "Cancel"} failed: ${body?.error?.message ?? `HTTP ${response.status}`}`,
        );
        return;
      }
      // The retry is a new run of this job: follow it live from where the stream stopped.
      if (action === "retry") follow();
    } catch (cause) {
      setActionError(`Could not reach the server (${cause instanceof Error ? cause.message : String(cause)})`);
    } finally {
      setBusy(null);
    }
  };

  const title = view.title ?? article?.title ?? view.url ?? jobId;
  const runNumber = view.runs.length;
  const earlierRuns = view.runs.slice(0, -1);
  // A total is shown once the job is done, or when one was recorded: a job that failed before any paid call has none.
  const costUsd = view.costUsd !== undefined ? view.costUsd : extras.costUsd;
  const cost = status === "completed" || typeof costUsd === "number" ? formatCost(costUsd) : null;
  const runId = view.runId ?? extras.runId;

  return (
    <article className={`job job-${status}`} aria-label={`Job ${title}`} data-job-id={jobId}>
      <header className="job-head">
        <div className="job-title">
          <h3>{title}</h3>
          {view.url && view.url !== title ? <p className="muted small url">{view.url}</p> : null}
        </div>
        <div className="badges">
          <span className={`badge status-${status}`} data-testid="job-status">
            {status}
          </span>
          {runNumber > 1 ? (
            <span className="badge" data-testid="job-run">
              run {runNumber}
            </span>
          ) : null}
          {connection !== "closed" && (live || connection !== "live") ? (
            <span className="badge connection" aria-live="polite">
              {connection}
            </span>
          ) : null}
          {onDismiss ? (
            <button type="button" className="icon" onClick={onDismiss} aria-label={`Hide job ${title}`}>
              ×
            </button>
          ) : null}
        </div>
      </header>

      <ol className="stages" aria-label="Stages">
        {view.stages.map((stage) => (
          <li
            key={stage.name}
            className={`stage stage-${stage.state}`}
            data-stage={stage.name}
            data-state={stage.state}
          >
            <span className="stage-name">{stage.name}</span>
            <span className="stage-state">
              <span className="dot" aria-hidden="true" />
              {STATE_LABEL[stage.state]}
            </span>
            <span className="stage-time">{formatMs(stageDurationMs(stage, now))}</span>
            <span className="stage-extra">
              {stage.attempt && stage.attempt > 1 ? <span className="attempt">attempt {stage.attempt}</span> : null}
            </span>
            {stage.progress && stage.progress.total > 0 && stage.state === "running" ? (
              <span className="stage-progress">
                <progress
                  value={stage.progress.done}
                  max={stage.progress.total}
                  aria-label={`${stage.name} progress`}
                  data-testid={`progress-${stage.name}`}
                />
                <span className="small muted">
                  {progressLabel(stage.progress)}
                  {stage.message ? ` · ${stage.message}` : ""}
                </span>
              </span>
            ) : null}
            {stage.message && stage.state === "failed" ? <span className="stage-message">{stage.message}</span> : null}
          </li>
        ))}
      </ol>

      {status === "failed" || status === "cancelled" ? (
        <div className="job-error" role="alert">
          <span>
            <strong className="reason">{reason ?? status}</strong> {message}
          </span>
          <button type="button" onClick={() => act("retry")} disabled={busy !== null}>
            {busy === "retry" ? "Retrying…" : "Retry"}
          </button>
        </div>
      ) : null}
      {live ? (
        <button type="button" className="secondary" onClick={() => act("cancel")} disabled={busy !== null}>
          {busy === "cancel" ? "Cancelling…" : "Cancel"}
        </button>
      ) : null}
      {actionError ? (
        <p className="form-error small" role="alert">
          {actionError}
        </p>
      ) : null}

      {status === "completed" && articleId ? (
        <section className="summary" aria-label="Summary">
          {view.message ? <p className="muted">{view.message}</p> : null}
          {article ? (
            <>
              <p className="tldr">{article.summary.tldr}</p>
              <ul>
                {article.summary.keyPoints.slice(0, 5).map((point) => (
                  <li key={point}>{point}</li>
                ))}
              </ul>
            </>
          ) : null}
          <a href={`/articles/${articleId}`}>Open article</a>
        </section>
      ) : null}

      {cost || runId || earlierRuns.length > 0 ? (
        <footer className="job-foot small muted">
          {cost ? <span data-testid="job-cost">Total cost {cost}</span> : null}
          {runId ? (
            extras.runUrl ? (
              <a href={extras.runUrl} target="_blank" rel="noreferrer">
                Inngest run {runId.slice(0, 10)}…
              </a>
            ) : (
              <span>Inngest run {runId}</span>
            )
          ) : null}
          {earlierRuns.length > 0 ? (
            <details className="runs">
              <summary>
                {earlierRuns.length} earlier run{earlierRuns.length === 1 ? "" : "s"}
              </summary>
              <ol>
                {earlierRuns.map((run) => (
                  <li key={run.number}>
                    Run {run.number}: {run.status}
                    {run.reason ? ` (${run.reason}${run.failedStep ? ` at ${run.failedStep}` : ""})` : ""}
                    {run.message ? ` — ${run.message}` : ""}
                  </li>
                ))}
              </ol>
            </details>
          ) : null}
        </footer>
      ) : null}
    </article>
  );
}
