import type { Article, JobKind, StepTiming } from "../domain";
import { type JobStatus, STEP_NAMES, type StepName } from "../progress/events";
import type { LibraryKind } from "../store/store";
import { cleanHeadline } from "./article";
import { formatCost } from "./format";
import type { JobView, StageView } from "./job-view";
import { isFailureReason } from "./reasons";

/**
 * What a job card shows beyond its events (pure, so it is tested): the job row when the events are gone or
 * disagree with it, the article's kind and title, which stages apply, and the one-line digest of a finished job.
 */

/** The job row as the card reads it: a `Job` from the store, or the `GET /api/jobs/:id` snapshot. */
export interface JobRowFacts {
  url: string;
  status: JobStatus;
  step?: string;
  reason?: string;
  message?: string;
  articleId?: string;
  steps: Partial<Record<StepName, StepTiming>>;
  costUsd?: number | null;
  kind?: JobKind;
  /** How many times the app retried the job (0 before any retry): run number `attempts + 1`. */
  attempts?: number;
  runId?: string;
  createdAt: string;
  updatedAt: string;
}

/** The little a card needs of the article a job made (never its text). */
export interface CardArticle {
  id: string;
  title: string;
  kind: LibraryKind;
  hasTranscript: boolean;
  tldr: string;
  keyPoints: string[];
}

const isTerminal = (status: JobStatus) => status === "completed" || status === "failed" || status === "cancelled";
export const isLive = (status: JobStatus) => status === "queued" || status === "running";

/** The library's kinds, decided as `library_browse()` decides them in SQL. */
export function articleKind(article: Pick<Article, "media" | "transcript" | "provenance">): LibraryKind {
  const has = (kind: string) => article.media.some((m) => m.kind === kind);
  if (has("youtube")) return "video";
  if (article.transcript && (has("audio") || has("feed"))) return "podcast";
  if (article.transcript && has("video")) return "video";
  if (/pdf/i.test(article.provenance.extractor)) return "pdf";
  return "article";
}

export function cardArticle(article: Article): CardArticle {
  return {
    id: article.id,
    title: cleanHeadline(article.title, article.siteName, article.url),
    kind: articleKind(article),
    hasTranscript: Boolean(article.transcript),
    tldr: article.summary.tldr,
    keyPoints: article.summary.keyPoints.slice(0, 5),
  };
}

/**
 * A job's view from its row alone: what the card shows when the progress log has expired (7 days) or ended
 * somewhere the row contradicts. Stages before the row's last step ran (with their recorded times); the last step
 * failed when the job did; the stages after it never ran.
 */
export function viewFromRow(jobId: string, row: JobRowFacts): JobView {
  const stopped = (STEP_NAMES as readonly string[]).indexOf(row.step ?? "");
  const failed = row.status === "failed" || row.status === "cancelled";
  const stages = STEP_NAMES.map((name, index): StageView => {
    const timing = row.steps[name];
    const times = {
      ...(timing?.startedAt !== undefined ? { startedAt: timing.startedAt } : {}),
      ...(timing?.finishedAt !== undefined ? { finishedAt: timing.finishedAt } : {}),
      ...(timing?.attempts !== undefined ? { attempt: timing.attempts } : {}),
    };
    if (failed) {
      // Timings after the stop are an earlier run's: this run never got there.
      if (stopped < 0 || index > stopped) return { name, state: "not_run" };
      if (index === stopped) return { name, state: "failed", ...times };
      return { name, state: "done", ...times };
    }
    if (row.status === "completed")
      return { name, state: timing?.startedAt === undefined ? "not_run" : "done", ...times };
    if (index === stopped && row.status === "running") return { name, state: "running", ...times };
    return { name, state: timing?.finishedAt !== undefined && index < stopped ? "done" : "pending", ...times };
  });
  const runs = (row.attempts ?? 0) + 1;
  const started = stages.map((s) => s.startedAt).filter((t): t is number => t !== undefined);
  const finished = stages.map((s) => s.finishedAt).filter((t): t is number => t !== undefined);
  // The run's span from its stages' recorded times; the row's own dates also count time spent queued or dismissed.
  const startedAt = started.length > 0 ? Math.min(...started) : Date.parse(row.createdAt);
  const endedAt = row.status === "completed" && finished.length > 0 ? Math.max(...finished) : Date.parse(row.updatedAt);
  return {
    jobId,
    status: row.status,
    lastSeq: 0,
    stages,
    runs: [
      {
        number: runs,
        status: row.status,
        startedAt,
        ...(isTerminal(row.status) ? { endedAt: Math.max(startedAt, endedAt) } : {}),
        ...(isFailureReason(row.reason) && failed ? { reason: row.reason } : {}),
      },
    ],
    url: row.url,
    ...(isFailureReason(row.reason) && failed ? { reason: row.reason } : {}),
    ...(row.message && failed ? { message: row.message } : {}),
    ...(row.articleId ? { articleId: row.articleId } : {}),
    ...(row.runId ? { runId: row.runId } : {}),
    ...(row.costUsd !== undefined ? { costUsd: row.costUsd } : {}),
    ...(row.kind ? { kind: row.kind } : {}),
  };
}

/**
 * The view a card shows: its events, unless the row says otherwise. The row is the record: when it has settled
 * (or moved on) and the log says something else — the log expired, a run's terminal event never reached it — the
 * row's state wins, keeping the log's position and earlier runs. Read the row after the log, so a row that still
 * says "running" while the log has ended means a new run started.
 */
export function settleView(view: JobView, row: JobRowFacts | undefined): JobView {
  if (!row) return view;
  const fromRow = viewFromRow(view.jobId, row);
  if (view.lastSeq === 0) return { ...fromRow, ...(view.url && !row.url ? { url: view.url } : {}) };
  if (view.status !== row.status && (isTerminal(row.status) || isTerminal(view.status))) {
    // The log's last run ended one way and the row another: the row's is a later run (a rerun from the Inngest
    // dashboard). The log's last run never ended: the row says how that run did.
    const last = view.runs.at(-1);
    const later = last !== undefined && isTerminal(last.status);
    const history = later ? view.runs : view.runs.slice(0, -1);
    const rowRun = fromRow.runs[0];
    const number = Math.max(rowRun?.number ?? 1, (last?.number ?? 0) + (later ? 1 : 0));
    return {
      ...fromRow,
      lastSeq: view.lastSeq,
      title: view.title,
      runs: rowRun ? [...history, { ...rowRun, number }] : history,
      ...(view.retriable !== undefined && !later ? { retriable: view.retriable } : {}),
    };
  }
  return {
    ...view,
    url: view.url ?? row.url,
    kind: view.kind ?? row.kind,
    articleId: view.articleId ?? row.articleId,
    runId: view.runId ?? row.runId,
    // A finished row holds the job's final spend; while it runs, the steps' events are fresher.
    costUsd:
      row.costUsd !== undefined && (isTerminal(row.status) || view.costUsd === undefined) ? row.costUsd : view.costUsd,
  };
}

/**
 * The cost a card shows: what the job has spent over all its runs (a failed or cancelled job's too), "so far" while
 * it runs (nothing before its first paid step); null when nothing is known.
 */
export function costLabel(view: Pick<JobView, "status" | "costUsd">): string | null {
  const cost = view.costUsd;
  if (cost === undefined) return null;
  if (isLive(view.status)) return cost === 0 ? null : `${formatCost(cost)} so far`;
  return formatCost(cost);
}

/**
 * The stages worth drawing: a summary job runs only summarize and save; a stage that had nothing to do (transcribe
 * on a text page) is left out rather than shown as "done" — known from its event as soon as it ends, or, for a view
 * built from the row alone, from the finished article having no transcript.
 */
export function shownStages(view: JobView, article?: Pick<CardArticle, "hasTranscript">): StageView[] {
  if (view.kind === "summary") return view.stages.filter((s) => s.name === "summarize" || s.name === "save");
  const stages = view.stages.filter((s) => s.state !== "skipped");
  if (view.status === "completed" && article && !article.hasTranscript) {
    return stages.filter((s) => s.name !== "transcribe" || s.state === "failed");
  }
  return stages;
}

/** How long the latest run took (or has taken so far): from its start to its end, or to `now` while it runs. */
export function runDurationMs(view: JobView, now: number): number | undefined {
  const run = view.runs.at(-1);
  if (!run) return undefined;
  if (run.endedAt !== undefined) return Math.max(0, run.endedAt - run.startedAt);
  return isLive(view.status) ? Math.max(0, now - run.startedAt) : undefined;
}

/** "850 ms", "4.2 s", "3 min 5 s". */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return "";
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1_000)} s`;
}

/** The card's title: the article's cleaned headline, else the page title the extract stage saw, else the URL. */
export function cardTitle(view: JobView, article: CardArticle | undefined): string {
  return article?.title ?? view.title ?? view.url ?? "New job";
}
