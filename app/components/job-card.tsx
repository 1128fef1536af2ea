"use client";

import { useEffect, useState } from "react";
import type { Article } from "@/lib/domain";
import { stageDurationMs } from "@/lib/ui/job-view";
import { useJobEvents } from "./use-job-events";

function formatMs(ms: number | undefined): string {
  if (ms === undefined) return "";
  return ms < 1_000 ? `${ms} ms` : `${(ms / 1_000).toFixed(1)} s`;
}

/** One job, live: its stages with state and duration, then the summary or the reason it failed. */
export function JobCard({ jobId }: { jobId: string }) {
  const { view, connection } = useJobEvents(jobId);
  const [article, setArticle] = useState<Article | null>(null);
  const [busy, setBusy] = useState(false);
  const [now, setNow] = useState(() => Date.now());

  useEffect(() => {
    if (view.status !== "running" && view.status !== "queued") return;
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, [view.status]);

  useEffect(() => {
    if (!view.articleId) return;
    let cancelled = false;
    void fetch(`/api/articles/${view.articleId}`)
      .then((r) => (r.ok ? (r.json() as Promise<Article>) : null))
      .then((a) => {
        if (!cancelled) setArticle(a);
      });
    return () => {
      cancelled = true;
    };
  }, [view.articleId]);

  const act = async (action: "retry" | "cancel") => {
    setBusy(true);
    try {
      await fetch(`/api/jobs/${jobId}/${action}`, { method: "POST" });
      if (action === "retry") window.location.reload();
    } finally {
      setBusy(false);
    }
  };

  return (
    <article className={`job job-${view.status}`} aria-label={`Job ${view.title ?? view.url ?? jobId}`}>
      <header className="job-head">
        <div>
          <h3>{view.title ?? view.url ?? jobId}</h3>
          {view.url && view.title ? <p className="muted small">{view.url}</p> : null}
        </div>
        <div className="badges">
          <span className={`badge status-${view.status}`} data-testid="job-status">
            {view.status}
          </span>
          {connection !== "closed" ? <span className="badge connection">{connection}</span> : null}
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
            <span className="stage-state">{stage.state}</span>
            <span className="stage-time">{formatMs(stageDurationMs(stage, now))}</span>
            {stage.progress && stage.state === "running" ? (
              <progress value={stage.progress.done} max={stage.progress.total} aria-label={`${stage.name} progress`} />
            ) : null}
            {stage.attempt && stage.attempt > 1 ? <span className="muted small">attempt {stage.attempt}</span> : null}
            {stage.message ? <span className="stage-message">{stage.message}</span> : null}
          </li>
        ))}
      </ol>

      {view.status === "failed" || view.status === "cancelled" ? (
        <div className="job-error" role="alert">
          <strong>{view.reason ?? view.status}</strong> {view.message}
          <button type="button" onClick={() => act("retry")} disabled={busy}>
            Retry
          </button>
        </div>
      ) : null}
      {view.status === "running" || view.status === "queued" ? (
        <button type="button" className="secondary" onClick={() => act("cancel")} disabled={busy}>
          Cancel
        </button>
      ) : null}

      {view.status === "completed" && view.articleId ? (
        <section className="summary" aria-label="Summary">
          {view.message ? <p className="muted">{view.message}</p> : null}
          {article ? (
            <>
              <p className="tldr">{article.summary.tldr}</p>
              <ul>
                {article.summary.keyPoints.map((point) => (
                  <li key={point}>{point}</li>
                ))}
              </ul>
            </>
          ) : null}
          <a href={`/articles/${view.articleId}`}>Open article</a>
        </section>
      ) : null}
    </article>
  );
}
