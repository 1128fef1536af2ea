import { describe, expect, it } from "vitest";
import type { ProgressEvent } from "../progress/events";
import type { PublishInput } from "../progress/publisher";
import { applyEvents, emptyJobView } from "./job-view";

const jobId = "job_1";
let seq = 0;
const ev = (e: PublishInput): ProgressEvent => ({ ...e, seq: ++seq, jobId, at: 1_000 + seq });

describe("job view", () => {
  it("moves stages from pending to running to done and links the article", () => {
    seq = 0;
    const events = [
      ev({ type: "job.queued", data: { url: "https://a.example/x" } }),
      ev({ type: "step.started", step: "fetch", attempt: 1 }),
      ev({ type: "step.completed", step: "fetch" }),
      ev({ type: "step.started", step: "detect", attempt: 1 }),
    ];
    let view = applyEvents(emptyJobView(jobId), events);
    expect(view.status).toBe("running");
    expect(view.stages.map((s) => s.state)).toEqual(["done", "running", "pending", "pending", "pending", "pending"]);
    view = applyEvents(view, [ev({ type: "job.completed", data: { articleId: "a1" } })]);
    expect(view.status).toBe("completed");
    expect(view.articleId).toBe("a1");
  });

  it("ignores duplicates and applies out-of-order deliveries in seq order", () => {
    seq = 0;
    const a = ev({ type: "step.started", step: "fetch" });
    const b = ev({ type: "step.failed", step: "fetch", reason: "http_error", message: "HTTP 502" });
    const c = ev({ type: "step.started", step: "fetch", attempt: 2 });
    const view = applyEvents(emptyJobView(jobId), [c, a, b, a, b]);
    expect(view.lastSeq).toBe(3);
    expect(view.stages[0]).toMatchObject({ state: "running", attempt: 2 });
    // A replay after reconnect changes nothing.
    expect(applyEvents(view, [a, b, c])).toBe(view);
  });

  it("shows a failure with its reason", () => {
    seq = 0;
    const view = applyEvents(emptyJobView(jobId), [
      ev({ type: "step.started", step: "extract" }),
      ev({ type: "job.failed", reason: "not_an_article", message: "Nothing readable" }),
    ]);
    expect(view.status).toBe("failed");
    expect(view.reason).toBe("not_an_article");
    expect(view.stages[2]?.state).toBe("failed");
  });

  it("groups runs: a failed run stays as history, the retry shows live with reused stages and the attempt", () => {
    seq = 0;
    let view = applyEvents(emptyJobView(jobId), [
      ev({ type: "job.queued", data: { url: "https://a.example/x" } }),
      ev({ type: "step.started", step: "fetch", attempt: 1 }),
      ev({ type: "step.completed", step: "fetch" }),
      ev({ type: "step.started", step: "detect", attempt: 1 }),
      ev({ type: "step.completed", step: "detect" }),
      ev({ type: "step.started", step: "extract", attempt: 1 }),
      ev({ type: "step.completed", step: "extract" }),
      ev({ type: "step.started", step: "transcribe", attempt: 1 }),
      ev({ type: "step.failed", step: "transcribe", reason: "transcription_failed", message: "Chunk 3 of 5" }),
      ev({ type: "job.failed", reason: "transcription_failed", message: "Chunk 3 of 5" }),
    ]);
    expect(view.status).toBe("failed");
    expect(view.runs).toEqual([expect.objectContaining({ number: 1, status: "failed", failedStep: "transcribe" })]);
    // The retry's memoized steps send no events: fetch, detect and extract are shown reused once transcribe starts.
    view = applyEvents(view, [
      ev({ type: "job.queued", data: { url: "https://a.example/x", retry: 2 } }),
      ev({ type: "step.started", step: "transcribe", attempt: 2 }),
      ev({ type: "step.progress", step: "transcribe", progress: { done: 2, total: 5, unit: "chunk" } }),
    ]);
    expect(view.status).toBe("running");
    expect(view.reason).toBeUndefined();
    expect(view.runs.map((r) => r.status)).toEqual(["failed", "running"]);
    expect(view.stages.map((s) => s.state)).toEqual(["reused", "reused", "reused", "running", "pending", "pending"]);
    expect(view.stages[3]).toMatchObject({ attempt: 2, progress: { done: 2, total: 5 } });
    expect(view.attempt).toBe(2);
    view = applyEvents(view, [ev({ type: "job.completed", data: { articleId: "a1", costUsd: 0.0123 } })]);
    expect(view).toMatchObject({ status: "completed", articleId: "a1", costUsd: 0.0123 });
    expect(view.runs.map((r) => r.status)).toEqual(["failed", "completed"]);
  });

  it("a first run never shows a stage as reused, even when events arrive late", () => {
    seq = 0;
    const view = applyEvents(emptyJobView(jobId), [
      ev({ type: "job.queued", data: { url: "https://a.example/x" } }),
      ev({ type: "step.started", step: "extract", attempt: 1 }),
    ]);
    expect(view.stages.map((s) => s.state)).toEqual(["pending", "pending", "running", "pending", "pending", "pending"]);
  });

  it("a run that stopped reads 'not run' for the stages it never reached, not 'pending'", () => {
    seq = 0;
    const failed = applyEvents(emptyJobView(jobId), [
      ev({ type: "job.queued", data: { url: "https://a.example/x" } }),
      ev({ type: "step.started", step: "fetch", attempt: 1 }),
      ev({ type: "step.completed", step: "fetch" }),
      ev({ type: "step.started", step: "detect", attempt: 1 }),
      ev({ type: "step.completed", step: "detect" }),
      ev({ type: "step.started", step: "extract", attempt: 1 }),
      ev({ type: "step.failed", step: "extract", reason: "not_an_article", data: { retriable: false } }),
      ev({ type: "job.failed", reason: "not_an_article", message: "Too little text" }),
    ]);
    expect(failed.stages.map((s) => s.state)).toEqual(["done", "done", "failed", "not_run", "not_run", "not_run"]);
    expect(failed.retriable).toBe(false);
    const cancelled = applyEvents(emptyJobView(jobId), [
      ev({ type: "job.queued", data: { url: "https://a.example/x" } }),
      ev({ type: "step.started", step: "fetch", attempt: 1 }),
      ev({ type: "job.cancelled", reason: "cancelled" }),
    ]);
    expect(cancelled.stages.map((s) => s.state)).toEqual(["failed", ...Array(5).fill("not_run")]);
    // A retry starts the stages over: pending again, and the last run's verdict on retrying is forgotten.
    const retried = applyEvents(failed, [ev({ type: "job.queued", data: { url: "https://a.example/x", retry: 2 } })]);
    expect(retried.stages.every((s) => s.state === "pending")).toBe(true);
    expect(retried.retriable).toBeUndefined();
  });

  it("a deduplicated job ran no stage; a summary job says so; a new card is titled by its URL", () => {
    seq = 0;
    const dedup = applyEvents(emptyJobView(jobId), [
      ev({ type: "job.queued", data: { url: "https://a.example/x" } }),
      ev({ type: "job.completed", data: { articleId: "a1", deduplicated: true, costUsd: 0 } }),
    ]);
    expect(dedup.stages.every((s) => s.state === "not_run")).toBe(true);
    expect(dedup.message).toBe("Already in the library");
    const summary = applyEvents(emptyJobView(jobId), [
      ev({ type: "job.queued", data: { url: "https://a.example/x", kind: "summary", articleId: "a1" } }),
    ]);
    expect(summary.kind).toBe("summary");
    expect(emptyJobView(jobId, "https://a.example/new").url).toBe("https://a.example/new");
  });
});
