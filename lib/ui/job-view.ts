import type { FailureReason } from "../errors";
import { type JobStatus, type ProgressEvent, STEP_NAMES, type StepName } from "../progress/events";

/** What the admin page shows for one job, derived only from its progress events (pure, so it is tested). */

/**
 * `not_run`: the run ended (or the job was deduplicated) before this stage started. `skipped`: the stage ran and had
 * nothing to do (transcribe on a text page).
 */
export type StageState = "pending" | "running" | "done" | "reused" | "skipped" | "failed" | "not_run";

export interface StageView {
  name: StepName;
  state: StageState;
  attempt?: number;
  startedAt?: number;
  finishedAt?: number;
  progress?: { done: number; total: number; unit: string };
  message?: string;
}

/** One run of the job: the first submission, then one per retry (each starts with `job.queued`). */
export interface RunView {
  number: number;
  status: JobStatus;
  startedAt: number;
  endedAt?: number;
  reason?: FailureReason;
  message?: string;
  /** The stage the run stopped at, when it failed or was cancelled. */
  failedStep?: StepName;
}

export interface JobView {
  jobId: string;
  status: JobStatus;
  lastSeq: number;
  stages: StageView[];
  /** Every run so far, oldest first; the last one is what `stages` shows. */
  runs: RunView[];
  reason?: FailureReason;
  message?: string;
  articleId?: string;
  title?: string;
  url?: string;
  /** The Inngest run, when the runner reported one. */
  runId?: string;
  /**
   * What the job has spent in USD over all its runs (null when a price is unknown): the total its paid steps recorded
   * so far, as their events or the job row said. A retry adds to it: it is what was paid for this URL.
   */
  costUsd?: number | null;
  /** Highest retry attempt seen in the latest run (1 = first try). */
  attempt?: number;
  /** "summary": a new summary version of an article in the library (only summarize and save run). */
  kind?: "article" | "summary";
  /**
   * Whether trying again may succeed, as the failing step said (an `http_error` 404 is permanent though the
   * reason is usually retried); absent when no step reported it.
   */
  retriable?: boolean;
}

/** A job before any event arrived; the URL, when the caller knows it, titles the card instead of the raw id. */
export function emptyJobView(jobId: string, url?: string): JobView {
  return {
    jobId,
    status: "queued",
    lastSeq: 0,
    stages: freshStages(),
    runs: [],
    ...(url ? { url } : {}),
  };
}

/** The stages a finished run never reached read "not run", not "pending". */
const notRun = (stages: StageView[]): StageView[] =>
  stages.map((s) => (s.state === "pending" ? { ...s, state: "not_run" } : s));

const freshStages = (): StageView[] => STEP_NAMES.map((name) => ({ name, state: "pending" }));

/** Applies events in seq order; an event at or below lastSeq is a duplicate (replay after reconnect) and is ignored. */
export function applyEvents(view: JobView, events: readonly ProgressEvent[]): JobView {
  let next = view;
  for (const event of [...events].sort((a, b) => a.seq - b.seq)) {
    if (event.seq <= next.lastSeq) continue;
    next = applyEvent(next, event);
  }
  return next;
}

function applyEvent(view: JobView, event: ProgressEvent): JobView {
  const next: JobView = { ...view, lastSeq: event.seq, stages: view.stages, runs: view.runs };
  const patchStage = (patch: Partial<StageView>) => {
    next.stages = next.stages.map((s) => (s.name === event.step ? { ...s, ...patch } : s));
  };
  const patchRun = (patch: Partial<RunView>) => {
    const last = next.runs.at(-1);
    if (!last) {
      next.runs = [{ number: 1, status: "running", startedAt: event.at, ...patch }];
      return;
    }
    next.runs = [...next.runs.slice(0, -1), { ...last, ...patch }];
  };
  if (event.attempt !== undefined) next.attempt = Math.max(next.attempt ?? 1, event.attempt);
  switch (event.type) {
    case "job.queued": {
      if (event.data) next.url = event.data.url;
      if (event.data?.kind) next.kind = event.data.kind;
      // A new run: the stages start over; the previous run stays in `runs` as history.
      next.status = "queued";
      next.reason = undefined;
      next.message = undefined;
      next.articleId = undefined;
      next.attempt = undefined;
      next.retriable = undefined;
      next.stages = freshStages();
      next.runs = [...next.runs, { number: next.runs.length + 1, status: "queued", startedAt: event.at }];
      break;
    }
    case "step.started":
      if (event.data?.runId) next.runId = event.data.runId;
      next.status = "running";
      patchRun({ status: "running" });
      // A retry replays the steps an earlier run finished from memory, without events: a stage still pending when a
      // later one starts was reused (nothing paid again).
      if (next.runs.length > 1 && event.step) {
        const at = STEP_NAMES.indexOf(event.step);
        next.stages = next.stages.map((s, i) => (i < at && s.state === "pending" ? { ...s, state: "reused" } : s));
      }
      patchStage({
        state: "running",
        attempt: event.attempt,
        startedAt: event.at,
        finishedAt: undefined,
        message: undefined,
        progress: undefined,
      });
      break;
    case "step.progress": {
      const minutes = event.data?.minutesTranscribed;
      const note = minutes !== undefined ? `${minutes.toFixed(1)} min transcribed` : event.message;
      // An event that only reports what a step paid leaves the stage's progress as it was.
      patchStage({ ...(event.progress ? { progress: event.progress } : {}), ...(note ? { message: note } : {}) });
      if (event.data?.spentUsd !== undefined) next.costUsd = spentSoFar(next.costUsd, event.data.spentUsd);
      break;
    }
    case "step.completed":
      if (event.data?.spentUsd !== undefined) next.costUsd = spentSoFar(next.costUsd, event.data.spentUsd);
      patchStage({
        state: event.data?.skipped ? "skipped" : event.data?.reused ? "reused" : "done",
        finishedAt: event.at,
      });
      if (event.data?.title) next.title = event.data.title;
      break;
    case "step.failed":
      patchStage({ state: "failed", finishedAt: event.at, message: event.message });
      if (event.data) next.retriable = event.data.retriable;
      break;
    case "job.completed":
      next.status = "completed";
      if (event.data?.articleId) next.articleId = event.data.articleId;
      if (event.data?.title) next.title = event.data.title;
      if (event.data?.costUsd !== undefined) next.costUsd = event.data.costUsd;
      if (event.data?.deduplicated) {
        next.stages = next.stages.map((s) => ({ ...s, state: "not_run" }));
        next.message = "Already in the library";
      }
      next.stages = notRun(next.stages);
      patchRun({ status: "completed", endedAt: event.at });
      break;
    case "job.failed":
    case "job.cancelled": {
      next.status = event.type === "job.failed" ? "failed" : "cancelled";
      next.reason = event.reason;
      next.message = event.message;
      const stopped = next.stages.find((s) => s.state === "running" || s.state === "failed")?.name;
      next.stages = notRun(next.stages.map((s) => (s.state === "running" ? { ...s, state: "failed" } : s)));
      patchRun({
        status: next.status,
        endedAt: event.at,
        reason: event.reason,
        message: event.message,
        failedStep: stopped,
      });
      break;
    }
  }
  return next;
}

/**
 * The job's spend after a step's event: steps finish (and publish) out of order but the total only grows, so the
 * largest is the latest; once a price is unknown the total stays unknown.
 */
function spentSoFar(current: number | null | undefined, reported: number | null): number | null {
  if (current === null || reported === null) return null;
  return current === undefined ? reported : Math.max(current, reported);
}

export function stageDurationMs(stage: StageView, now: number): number | undefined {
  if (!stage.startedAt) return undefined;
  return (stage.finishedAt ?? now) - stage.startedAt;
}

/** "3 of 7 chunks · 12.5 min transcribed" from a stage's progress and its detail. */
export function progressLabel(progress: { done: number; total: number; unit: string }): string {
  const unit = progress.total === 1 ? progress.unit : `${progress.unit}s`;
  return `${progress.done} of ${progress.total} ${unit}`;
}
