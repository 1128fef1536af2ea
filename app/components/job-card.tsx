"use client";

import { useEffect, useId, useRef, useState } from "react";
import type { Article } from "@/lib/domain";
import {
  type CardArticle,
  cardArticle,
  cardTitle,
  costLabel,
  formatDuration,
  isLive,
  type JobRowFacts,
  runDurationMs,
  settleView,
  shownStages,
} from "@/lib/ui/job-card";
import { type JobView, progressLabel, type StageView, stageDurationMs } from "@/lib/ui/job-view";
import { KIND_LABEL } from "@/lib/ui/library";
import { isPermanentFailure, reasonWords } from "@/lib/ui/reasons";
import { useJobEvents } from "./use-job-events";

const STATE_LABEL: Record<StageView["state"], string> = {
  pending: "pending",
  running: "running",
  done: "done",
  reused: "reused",
  skipped: "skipped",
  failed: "failed",
  not_run: "not run",
};

/** The `GET /api/jobs/:id` snapshot: the job row's facts and the link to its Inngest run. */
type Snapshot = JobRowFacts & { runUrl?: string };

export interface JobCardProps {
  jobId: string;
  /** The job as the server rendered it (its log, settled against its row): the first paint is already true. */
  initial?: JobView;
  /** The article a finished job made, as the server knew it. */
  article?: CardArticle;
  runUrl?: string;
  /** The URL of a job just submitted from this page, before its first event. */
  url?: string;
  onDismiss?: () => void;
}

/**
 * One job. A running job is drawn whole and live: its stages with state and duration. A finished one is one line
 * (title, kind, duration, cost, the article or the reason it stopped) that expands to its stages and summary.
 */
export function JobCard({ jobId, initial, article: initialArticle, runUrl, url, onDismiss }: JobCardProps) {
  const {
    view: events,
    connection,
    follow,
  } = useJobEvents(jobId, {
    initial,
    url,
    live: initial ? isLive(initial.status) : true,
  });
  const [row, setRow] = useState<{ seq: number; snapshot: Snapshot } | null>(null);
  const [article, setArticle] = useState<CardArticle | undefined>(initialArticle);
  const [expanded, setExpanded] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState<"retry" | "cancel" | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  // The server and the first client render agree on "now" (the view's last known time); the clock ticks after.
  const [now, setNow] = useState(() => lastKnownTime(initial));
  const bodyId = useId();
  const questionId = useId();
  const retryButton = useRef<HTMLButtonElement>(null);
  const confirmButton = useRef<HTMLButtonElement>(null);

  // A run that ended while watched: the row adds what the events do not carry (cost, the run's link), and
  // overrules them should they disagree.
  const ended = !isLive(events.status);
  const renderedSeq = initial?.lastSeq;
  const fresh = ended && events.lastSeq !== renderedSeq;
  const view = row && row.seq === events.lastSeq ? settleView(events, row.snapshot) : events;
  const live = isLive(view.status);
  const open = live || expanded;

  useEffect(() => {
    if (!fresh) return;
    let cancelled = false;
    const seq = events.lastSeq;
    void fetch(`/api/jobs/${jobId}`, { cache: "no-store" })
      .then((r) => (r.ok ? (r.json() as Promise<Snapshot>) : null))
      .then((snapshot) => {
        if (!cancelled && snapshot) setRow({ seq, snapshot });
      })
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [jobId, fresh, events.lastSeq]);

  useEffect(() => {
    if (!live) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, [live]);

  const articleId = view.status === "completed" ? view.articleId : undefined;
  useEffect(() => {
    if (!articleId || article?.id === articleId) return;
    let cancelled = false;
    void fetch(`/api/articles/${articleId}`)
      .then((r) => (r.ok ? (r.json() as Promise<Article>) : null))
      .then((a) => {
        if (!cancelled && a) setArticle(cardArticle(a));
      })
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [articleId, article?.id]);

  useEffect(() => {
    if (confirming) confirmButton.current?.focus();
  }, [confirming]);

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

  const closeConfirm = () => {
    setConfirming(false);
    retryButton.current?.focus();
  };
  const retry = () => {
    if (isPermanentFailure(view)) setConfirming(true);
    else void act("retry");
  };

  const status = view.status;
  const title = cardTitle(view, article);
  const stoppedAt = status === "failed" || status === "cancelled";
  const runNumber = view.runs.at(-1)?.number ?? 1;
  const earlierRuns = view.runs.slice(0, -1);
  const cost = costLabel(view);
  const duration = ended ? formatDuration(runDurationMs(view, now)) : "";
  const kind = view.kind === "summary" ? "New summary" : article ? KIND_LABEL[article.kind] : null;
  const runLink = runUrl ?? row?.snapshot.runUrl;
  const stages = shownStages(view, article);

  return (
    <article
      className={`job job-${status}${open ? "" : " job-collapsed"}`}
      aria-label={`Job ${title}`}
      data-job-id={jobId}
    >
      <header className="job-head">
        <h3 className="job-name" title={title}>
          {title}
        </h3>
        <div className="job-meta">
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
          {status === "failed" ? (
            <span className="reason-words" data-testid="job-reason">
              {reasonWords(view.reason ?? status)}
            </span>
          ) : null}
          {open ? null : <StageStrip stages={stages} />}
          {kind || duration || cost ? (
            <span className="facts small muted">
              {kind ? <span data-testid="job-kind">{kind}</span> : null}
              {duration ? <span data-testid="job-duration">{duration}</span> : null}
              {cost ? <span data-testid="job-cost">{cost}</span> : null}
            </span>
          ) : null}
          {status === "completed" && view.articleId ? (
            <a className="open-article" href={`/articles/${view.articleId}`}>
              Open article
            </a>
          ) : null}
          {stoppedAt ? (
            <button ref={retryButton} type="button" className="small-button" onClick={retry} disabled={busy !== null}>
              {busy === "retry" ? "Retrying…" : "Retry"}
            </button>
          ) : null}
          {live ? (
            <button
              type="button"
              className="secondary small-button"
              onClick={() => act("cancel")}
              disabled={busy !== null}
            >
              {busy === "cancel" ? "Cancelling…" : "Cancel"}
            </button>
          ) : (
            <button
              type="button"
              className="secondary small-button toggle"
              aria-expanded={expanded}
              aria-controls={bodyId}
              onClick={() => setExpanded((shown) => !shown)}
            >
              Details
            </button>
          )}
          {onDismiss ? (
            <button type="button" className="icon" onClick={onDismiss} aria-label={`Hide job ${title}`}>
              ×
            </button>
          ) : null}
        </div>
      </header>

      {confirming ? (
        <div
          className="confirm"
          role="alertdialog"
          aria-labelledby={questionId}
          onKeyDown={(e) => {
            if (e.key === "Escape") closeConfirm();
          }}
        >
          <p id={questionId}>
            This failure is permanent ({reasonWords(view.reason).toLowerCase()}): a retry will most likely stop the same
            way. <strong>Retry anyway?</strong>
          </p>
          <div className="confirm-actions">
            <button
              ref={confirmButton}
              type="button"
              onClick={() => {
                setConfirming(false);
                void act("retry");
              }}
            >
              Retry anyway
            </button>
            <button type="button" className="secondary" onClick={closeConfirm}>
              Don&apos;t retry
            </button>
          </div>
        </div>
      ) : null}
      {actionError ? (
        <p className="form-error small" role="alert">
          {actionError}
        </p>
      ) : null}

      <div id={bodyId} className="job-body" hidden={!open}>
        {view.url && view.url !== title ? <p className="muted small url">{view.url}</p> : null}
        {view.message && status === "completed" ? <p className="muted small">{view.message}</p> : null}
        <ol className="stages" aria-label="Stages">
          {stages.map((stage) => (
            <StageRow key={stage.name} stage={stage} now={now} jobMessage={stoppedAt ? view.message : undefined} />
          ))}
        </ol>

        {stoppedAt ? (
          <p className="job-error">
            <strong>{reasonWords(view.reason ?? status)}</strong>
            {view.message ? <span> {view.message}</span> : null}{" "}
            <small className="reason-code">
              <code>{view.reason ?? status}</code>
            </small>
          </p>
        ) : null}

        {status === "completed" && article ? (
          <section className="summary" aria-label="Summary">
            <p className="tldr">{article.tldr}</p>
            <ul>
              {article.keyPoints.map((point) => (
                <li key={point}>{point}</li>
              ))}
            </ul>
          </section>
        ) : null}

        {view.runId || earlierRuns.length > 0 ? (
          <footer className="job-foot small muted">
            {view.runId ? (
              runLink ? (
                <a href={runLink} target="_blank" rel="noreferrer">
                  Inngest run {view.runId.slice(0, 10)}…
                </a>
              ) : (
                <span>Inngest run {view.runId}</span>
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
                      {run.reason
                        ? ` (${reasonWords(run.reason)}${run.failedStep ? ` at ${run.failedStep}` : ""})`
                        : ""}
                      {run.message ? ` — ${run.message}` : ""}
                    </li>
                  ))}
                </ol>
              </details>
            ) : null}
          </footer>
        ) : null}
      </div>
    </article>
  );
}

/** A folded card's stages as a strip of dots: each named with its state for assistive technology and on hover. */
function StageStrip({ stages }: { stages: StageView[] }) {
  return (
    <ol className="stage-strip" aria-label="Stages">
      {stages.map((stage) => (
        <li key={stage.name} className={`pip pip-${stage.state}`} title={`${stage.name}: ${STATE_LABEL[stage.state]}`}>
          <span className="visually-hidden">
            {stage.name} {STATE_LABEL[stage.state]}
          </span>
        </li>
      ))}
    </ol>
  );
}

function lastKnownTime(view: JobView | undefined): number {
  const times = (view?.stages ?? []).flatMap((s) => [s.startedAt ?? 0, s.finishedAt ?? 0]);
  return Math.max(0, ...times, view?.runs.at(-1)?.startedAt ?? 0);
}

function StageRow({ stage, now, jobMessage }: { stage: StageView; now: number; jobMessage?: string }) {
  return (
    <li className={`stage stage-${stage.state}`} data-stage={stage.name} data-state={stage.state}>
      <span className="stage-name">{stage.name}</span>
      <span className="stage-state">
        <span className="dot" aria-hidden="true" />
        {STATE_LABEL[stage.state]}
      </span>
      <span className="stage-time">{formatDuration(stageDurationMs(stage, now))}</span>
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
      {/* The job's own failure message is said once, under the stages. */}
      {stage.message && stage.state === "failed" && stage.message !== jobMessage ? (
        <span className="stage-message">{stage.message}</span>
      ) : null}
    </li>
  );
}
