import type { FailureReason } from "../errors";
import { type JobStatus, type ProgressEvent, STEP_NAMES, type StepName } from "../progress/events";

/** What the admin page shows for one job, derived only from its progress events (pure, so it is tested). */

export type StageState = "pending" | "running" | "done" | "failed" | "skipped";

export interface StageView {
  name: StepName;
  state: StageState;
  attempt?: number;
  startedAt?: number;
  finishedAt?: number;
  progress?: { done: number; total: number; unit: string };
  message?: string;
  detail?: Record<string, unknown>;
}

export interface JobView {
  jobId: string;
  status: JobStatus;
  lastSeq: number;
  stages: StageView[];
  reason?: FailureReason;
  message?: string;
  articleId?: string;
  title?: string;
  url?: string;
}

export function emptyJobView(jobId: string): JobView {
  return {
    jobId,
    status: "queued",
    lastSeq: 0,
    stages: STEP_NAMES.map((name) => ({ name, state: "pending" })),
  };
}

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
  const next: JobView = { ...view, lastSeq: event.seq, stages: view.stages };
  const patchStage = (patch: Partial<StageView>) => {
    next.stages = next.stages.map((s) => (s.name === event.step ? { ...s, ...patch } : s));
  };
  switch (event.type) {
    case "job.queued":
      if (typeof event.data?.url === "string") next.url = event.data.url;
      // A retry starts over visually; completed stages will replay as done quickly.
      next.status = "queued";
      next.reason = undefined;
      next.message = undefined;
      next.stages = next.stages.map((s) => (s.state === "failed" ? { ...s, state: "pending", message: undefined } : s));
      break;
    case "step.started":
      next.status = "running";
      patchStage({
        state: "running",
        attempt: event.attempt,
        startedAt: event.at,
        finishedAt: undefined,
        message: undefined,
      });
      break;
    case "step.progress":
      patchStage({ progress: event.progress });
      break;
    case "step.completed":
      patchStage({ state: "done", finishedAt: event.at, detail: event.data });
      if (typeof event.data?.title === "string") next.title = event.data.title;
      break;
    case "step.failed":
      patchStage({ state: "failed", finishedAt: event.at, message: event.message });
      break;
    case "job.completed":
      next.status = "completed";
      if (typeof event.data?.articleId === "string") next.articleId = event.data.articleId;
      if (typeof event.data?.title === "string") next.title = event.data.title;
      if (event.data?.deduplicated === true) {
        next.stages = next.stages.map((s) => ({ ...s, state: "skipped" }));
        next.message = "Already in the library";
      }
      break;
    case "job.failed":
    case "job.cancelled":
      next.status = event.type === "job.failed" ? "failed" : "cancelled";
      next.reason = event.reason;
      next.message = event.message;
      next.stages = next.stages.map((s) => (s.state === "running" ? { ...s, state: "failed" } : s));
      break;
  }
  return next;
}

export function stageDurationMs(stage: StageView, now: number): number | undefined {
  if (!stage.startedAt) return undefined;
  return (stage.finishedAt ?? now) - stage.startedAt;
}
