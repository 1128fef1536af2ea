import { describe, expect, it } from "vitest";
import type { Article } from "../domain";
import type { ProgressEvent } from "../progress/events";
import type { PublishInput } from "../progress/publisher";
import {
  articleKind,
  cardTitle,
  costLabel,
  formatDuration,
  type JobRowFacts,
  runDurationMs,
  settleView,
  shownStages,
  viewFromRow,
} from "./job-card";
import { applyEvents, emptyJobView } from "./job-view";
import { isPermanentFailure, REASON_WORDS, reasonWords } from "./reasons";

const jobId = "job_1";
let seq = 0;
const ev = (e: PublishInput, at?: number): ProgressEvent => ({ ...e, seq: ++seq, jobId, at: at ?? 1_000 + seq });
const T0 = Date.parse("2026-12-01T10:00:00.000Z");

/** A completed text page's row: every stage timed, transcribe a no-op. */
const completedRow: JobRowFacts = {
  url: "https://a.example/story",
  status: "completed",
  step: "save",
  articleId: "art_1",
  costUsd: 0.0042,
  kind: "article",
  attempts: 0,
  steps: {
    fetch: { startedAt: T0, finishedAt: T0 + 300, attempts: 1 },
    detect: { startedAt: T0 + 300, finishedAt: T0 + 310, attempts: 1 },
    extract: { startedAt: T0 + 310, finishedAt: T0 + 900, attempts: 1 },
    transcribe: { startedAt: T0 + 900, finishedAt: T0 + 901, attempts: 1 },
    summarize: { startedAt: T0 + 901, finishedAt: T0 + 4_000, attempts: 2 },
    save: { startedAt: T0 + 4_000, finishedAt: T0 + 4_200, attempts: 1 },
  },
  createdAt: new Date(T0 - 5_000).toISOString(),
  updatedAt: new Date(T0 + 60_000).toISOString(),
};

describe("a card from its job row", () => {
  it("a completed job whose log expired shows its timeline from the row, not queued and all pending", () => {
    const view = settleView(emptyJobView(jobId), completedRow);
    expect(view.status).toBe("completed");
    expect(view.stages.map((s) => s.state)).toEqual(["done", "done", "done", "done", "done", "done"]);
    expect(view.stages[4]).toMatchObject({ startedAt: T0 + 901, finishedAt: T0 + 4_000, attempt: 2 });
    expect(view).toMatchObject({ articleId: "art_1", costUsd: 0.0042, url: completedRow.url });
    // The run's span is its stages', not the row's dates (which count time queued).
    expect(runDurationMs(view, T0 + 999_999)).toBe(4_200);
  });

  it("a failed row: stages before the stop ran, the stop failed, the rest never ran (an earlier run's times ignored)", () => {
    const view = viewFromRow(jobId, {
      ...completedRow,
      status: "failed",
      step: "detect",
      reason: "http_error",
      message: "HTTP 404",
      articleId: undefined,
      attempts: 2,
    });
    expect(view.stages.map((s) => s.state)).toEqual(["done", "failed", "not_run", "not_run", "not_run", "not_run"]);
    expect(view).toMatchObject({ status: "failed", reason: "http_error", message: "HTTP 404" });
    expect(view.runs.at(-1)?.number).toBe(3);
    // A job that failed before any stage (its dispatch failed) ran nothing.
    const undispatched = viewFromRow(jobId, { ...completedRow, status: "failed", step: undefined, steps: {} });
    expect(undispatched.stages.every((s) => s.state === "not_run")).toBe(true);
  });

  it("the row wins when the log ended elsewhere: a dashboard rerun completed after the log's job.failed", () => {
    seq = 0;
    const log = applyEvents(emptyJobView(jobId), [
      ev({ type: "job.queued", data: { url: completedRow.url } }),
      ev({ type: "step.started", step: "fetch", attempt: 1 }),
      ev({ type: "step.failed", step: "fetch", reason: "http_error", data: { retriable: false } }),
      ev({ type: "job.failed", reason: "http_error", message: "HTTP 404" }),
    ]);
    // A rerun from the dashboard is not an app retry: the row's attempts stay 0.
    const view = settleView(log, completedRow);
    expect(view.status).toBe("completed");
    expect(view.articleId).toBe("art_1");
    expect(view.stages.every((s) => s.state === "done")).toBe(true);
    // The log's place is kept (the card follows from there) and its failed run stays as history.
    expect(view.lastSeq).toBe(4);
    expect(view.runs.map((r) => [r.number, r.status])).toEqual([
      [1, "failed"],
      [2, "completed"],
    ]);
  });

  it("a row that failed while the log still says queued (the dispatch failed) ends the card", () => {
    seq = 0;
    const log = applyEvents(emptyJobView(jobId), [ev({ type: "job.queued", data: { url: completedRow.url } })]);
    const view = settleView(log, {
      ...completedRow,
      status: "failed",
      step: undefined,
      steps: {},
      reason: "internal",
      message: "Could not start the job",
    });
    expect(view).toMatchObject({ status: "failed", reason: "internal", message: "Could not start the job" });
    expect(view.stages.every((s) => s.state === "not_run")).toBe(true);
  });

  it("when log and row agree the log's view stands, with what only the row knows", () => {
    seq = 0;
    const log = applyEvents(emptyJobView(jobId), [
      ev({ type: "job.queued", data: { url: completedRow.url } }, T0),
      ev({ type: "step.started", step: "fetch", attempt: 1 }, T0 + 10),
      ev({ type: "step.completed", step: "fetch" }, T0 + 20),
      ev({ type: "job.completed", data: { articleId: "art_1" } }, T0 + 3_000),
    ]);
    const view = settleView(log, completedRow);
    expect(view.stages[0]).toMatchObject({ state: "done", startedAt: T0 + 10 });
    expect(view.costUsd).toBe(0.0042);
    expect(view.kind).toBe("article");
    expect(runDurationMs(view, 0)).toBe(3_000);
  });
});

describe("what a card draws", () => {
  const article = { hasTranscript: false };

  it("leaves out transcribe for a finished text page, and everything but summarize and save for a summary job", () => {
    const view = viewFromRow(jobId, completedRow);
    expect(shownStages(view, article).map((s) => s.name)).toEqual(["fetch", "detect", "extract", "summarize", "save"]);
    expect(shownStages(view, { hasTranscript: true })).toHaveLength(6);
    // Not yet known while it runs: all six are drawn.
    expect(shownStages(emptyJobView(jobId), article)).toHaveLength(6);
    const summary = viewFromRow(jobId, { ...completedRow, kind: "summary" });
    expect(shownStages(summary).map((s) => s.name)).toEqual(["summarize", "save"]);
  });

  it("leaves out a stage that said it had nothing to do, while the job runs and before its article is loaded", () => {
    seq = 0;
    const running = applyEvents(emptyJobView(jobId), [
      ev({ type: "job.queued", data: { url: completedRow.url } }, T0),
      ev({ type: "step.started", step: "transcribe", attempt: 1 }, T0 + 10),
      ev({ type: "step.completed", step: "transcribe", data: { skipped: true } }, T0 + 20),
      ev({ type: "step.started", step: "summarize", attempt: 1 }, T0 + 30),
    ]);
    expect(running.stages.find((s) => s.name === "transcribe")?.state).toBe("skipped");
    expect(shownStages(running).map((s) => s.name)).toEqual(["fetch", "detect", "extract", "summarize", "save"]);
  });

  it("names the article's kind as the library does", () => {
    const base = { media: [], transcript: null, provenance: { extractor: "readability" } } as unknown as Pick<
      Article,
      "media" | "transcript" | "provenance"
    >;
    const transcript = { source: "stt", text: "Hello" } as Article["transcript"];
    expect(articleKind(base)).toBe("article");
    expect(articleKind({ ...base, media: [{ kind: "audio", url: "https://a.example/a.mp3" }], transcript })).toBe(
      "podcast",
    );
    expect(articleKind({ ...base, media: [{ kind: "audio", url: "https://a.example/a.mp3" }] })).toBe("article");
    expect(articleKind({ ...base, media: [{ kind: "youtube", url: "https://youtu.be/x" }] })).toBe("video");
    expect(articleKind({ ...base, provenance: { extractor: "unpdf" } as Article["provenance"] })).toBe("pdf");
  });

  it("titles a card by the article, the page title, then the URL — never the raw id", () => {
    const view = emptyJobView(jobId, "https://a.example/new");
    expect(cardTitle(view, undefined)).toBe("https://a.example/new");
    expect(cardTitle({ ...view, title: "Page | Site" }, undefined)).toBe("Page | Site");
    expect(cardTitle(emptyJobView(jobId), undefined)).not.toContain(jobId);
  });

  it("formats durations", () => {
    expect(formatDuration(850)).toBe("850 ms");
    expect(formatDuration(4_200)).toBe("4.2 s");
    expect(formatDuration(185_000)).toBe("3 min 5 s");
    expect(formatDuration(undefined)).toBe("");
  });
});

describe("failure reasons in words", () => {
  it("has words for every reason, and keeps an unknown code as it is", () => {
    for (const words of Object.values(REASON_WORDS)) expect(words.length).toBeGreaterThan(3);
    expect(reasonWords("not_an_article")).toBe("No article found on the page");
    expect(reasonWords("some_new_reason")).toBe("some_new_reason");
  });

  it("a permanent failure is what the failing step said, else the reason's default; cancelled is not", () => {
    expect(isPermanentFailure({ reason: "not_an_article" })).toBe(true);
    expect(isPermanentFailure({ reason: "timeout" })).toBe(false);
    expect(isPermanentFailure({ reason: "http_error", retriable: false })).toBe(true);
    expect(isPermanentFailure({ reason: "cancelled" })).toBe(false);
  });
});

describe("what a job card says it cost", () => {
  it("shows the spend so far while it runs, what a failed job spent, and unknown as unknown", () => {
    seq = 0;
    const started = applyEvents(emptyJobView(jobId), [
      ev({ type: "job.queued", data: { url: "https://a.example/ep.mp3" } }),
      ev({ type: "step.started", step: "transcribe", attempt: 1 }),
      ev({ type: "step.progress", step: "transcribe", attempt: 1, progress: { done: 0, total: 3, unit: "chunk" } }),
    ]);
    // Nothing paid yet: no cost drawn.
    expect(costLabel({ ...started, costUsd: 0 })).toBeNull();
    expect(costLabel(started)).toBeNull();
    // Windows finish out of order: the largest total reported is the latest; the chunk bar stays.
    const paid = applyEvents(started, [
      ev({ type: "step.progress", step: "transcribe", attempt: 1, data: { spentUsd: 0.006 } }),
      ev({ type: "step.progress", step: "transcribe", attempt: 1, data: { spentUsd: 0.0025 } }),
    ]);
    expect(paid.costUsd).toBe(0.006);
    expect(paid.stages.find((s) => s.name === "transcribe")?.progress).toEqual({ done: 0, total: 3, unit: "chunk" });
    expect(costLabel(paid)).toBe("$0.0060 so far");
    const failed = applyEvents(paid, [
      ev({ type: "step.failed", step: "summarize", attempt: 1, reason: "summarization_failed", message: "down" }),
      ev({ type: "job.failed", reason: "summarization_failed", message: "down" }),
    ]);
    expect(costLabel(failed)).toBe("$0.0060");
    // The row is the record once the job has stopped; a retry's new run keeps the job's total (what the URL cost).
    const row: JobRowFacts = { ...completedRow, status: "failed", step: "summarize", costUsd: 0.0061 };
    expect(costLabel(settleView(failed, row))).toBe("$0.0061");
    const retried = applyEvents(failed, [ev({ type: "job.queued", data: { url: "https://a.example/ep.mp3" } })]);
    expect(retried.costUsd).toBe(0.006);
    const unknown = applyEvents(retried, [
      ev({ type: "step.started", step: "summarize", attempt: 1 }),
      ev({ type: "step.completed", step: "summarize", attempt: 1, data: { spentUsd: null } }),
      ev({ type: "step.progress", step: "summarize", attempt: 1, data: { spentUsd: 0.02 } }),
    ]);
    expect(unknown.costUsd).toBeNull();
    expect(costLabel(unknown)).toBe("unknown so far");
    expect(costLabel({ status: "failed", costUsd: null })).toBe("unknown");
    expect(costLabel({ status: "cancelled", costUsd: 0 })).toBe("$0 (no paid calls)");
  });
});
