import { describe, expect, it } from "vitest";
import { createLogger, type LogRecord } from "../log";
import type { ProgressKv } from "./kv";
import { createMemoryKv } from "./memory-kv";
import { createPublisher, KV_BACKOFF_MS } from "./publisher";

function logs() {
  const records: LogRecord[] = [];
  return { records, logger: createLogger({ level: "debug", sink: (record) => records.push(record) }) };
}

describe("progress publisher: the snapshot beside the log", () => {
  it("follows a job from queued to completed: status, current step, article", async () => {
    const kv = createMemoryKv();
    let t = 1_000;
    const publisher = createPublisher({ kv, now: () => t, logger: logs().logger }, "job-1");
    const snapshot = () => kv.getSnapshot("job-1");

    expect(await publisher.publish({ type: "job.queued", data: { url: "https://news.example/a" } })).toMatchObject({
      seq: 1,
      jobId: "job-1",
      at: 1_000,
    });
    expect(await snapshot()).toEqual({ jobId: "job-1", status: "queued", updatedAt: 1_000 });

    t = 2_000;
    await publisher.publish({ type: "step.started", step: "fetch" });
    expect(await snapshot()).toEqual({ jobId: "job-1", status: "running", step: "fetch", updatedAt: 2_000 });

    // An event of a step keeps the job's status and moves the step on.
    await publisher.publish({ type: "step.completed", step: "fetch" });
    await publisher.publish({
      type: "step.progress",
      step: "transcribe",
      progress: { done: 1, total: 3, unit: "chunk" },
    });
    expect(await snapshot()).toMatchObject({ status: "running", step: "transcribe" });

    t = 3_000;
    await publisher.publish({ type: "job.completed", data: { articleId: "article-9" } });
    expect(await snapshot()).toEqual({
      jobId: "job-1",
      status: "completed",
      step: "transcribe",
      articleId: "article-9",
      updatedAt: 3_000,
    });
    // Events that carry no status or step leave the snapshot alone.
    t = 4_000;
    await publisher.publish({ type: "step.progress", message: "late note" });
    expect(await snapshot()).toMatchObject({ status: "completed", articleId: "article-9", updatedAt: 3_000 });
  });

  it("keeps the failing step's reason when the job fails, and drops it when a retry queues the job again", async () => {
    const kv = createMemoryKv();
    const publisher = createPublisher({ kv, now: () => 5, logger: logs().logger }, "job-2");
    await publisher.publish({ type: "step.started", step: "extract" });
    await publisher.publish({
      type: "step.failed",
      step: "extract",
      reason: "not_an_article",
      data: { retriable: false },
    });
    expect(await kv.getSnapshot("job-2")).toMatchObject({
      status: "running",
      step: "extract",
      reason: "not_an_article",
    });

    await publisher.publish({ type: "job.failed" });
    expect(await kv.getSnapshot("job-2")).toEqual({
      jobId: "job-2",
      status: "failed",
      step: "extract",
      reason: "not_an_article",
      updatedAt: 5,
    });

    await publisher.publish({ type: "job.queued", data: { url: "https://news.example/b", retry: 1 } });
    const retried = await kv.getSnapshot("job-2");
    expect(retried).toMatchObject({ status: "queued", step: "extract" });
    expect(retried?.reason).toBeUndefined();
  });

  it("starts a snapshot from whatever event comes first: a step's progress, or the job's failure", async () => {
    const kv = createMemoryKv();
    await createPublisher({ kv, now: () => 1, logger: logs().logger }, "job-4").publish({
      type: "step.progress",
      step: "transcribe",
    });
    expect(await kv.getSnapshot("job-4")).toEqual({
      jobId: "job-4",
      status: "running",
      step: "transcribe",
      updatedAt: 1,
    });
    // A run that failed before any step (onFailure is then the first writer).
    await createPublisher({ kv, now: () => 2, logger: logs().logger }, "job-5").publish({
      type: "job.failed",
      reason: "internal",
    });
    expect(await kv.getSnapshot("job-5")).toEqual({
      jobId: "job-5",
      status: "failed",
      reason: "internal",
      updatedAt: 2,
    });
    await createPublisher({ kv, now: () => 3, logger: logs().logger }, "job-6").publish({ type: "job.failed" });
    expect(await kv.getSnapshot("job-6")).toEqual({ jobId: "job-6", status: "failed", updatedAt: 3 });
  });

  it("never fails the job when the log is down: one warning, writes skipped for a while, then tried again", async () => {
    const kv = createMemoryKv();
    let appends = 0;
    let down = true;
    const flaky: ProgressKv = {
      ...kv,
      append: async (input) => {
        appends += 1;
        if (down) throw new Error("ECONNREFUSED");
        return kv.append(input);
      },
    };
    let t = 0;
    const { records, logger } = logs();
    const publisher = createPublisher({ kv: flaky, now: () => t, logger }, "job-3");

    expect(await publisher.publish({ type: "step.started", step: "fetch" })).toBeNull();
    expect(appends).toBe(1);
    // Within the back-off the KV is not asked again.
    t = KV_BACKOFF_MS - 1;
    expect(await publisher.publish({ type: "step.completed", step: "fetch" })).toBeNull();
    expect(appends).toBe(1);
    // After it, the next write is tried (and fails again: still one warning for the job).
    t = KV_BACKOFF_MS;
    expect(await publisher.publish({ type: "step.started", step: "detect" })).toBeNull();
    expect(appends).toBe(2);
    const warnings = records.filter((r) => r.level === "warn");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.fields).toMatchObject({ jobId: "job-3" });

    down = false;
    t = 2 * KV_BACKOFF_MS;
    expect(await publisher.publish({ type: "step.started", step: "extract" })).toMatchObject({ seq: 1 });
    expect(await kv.getSnapshot("job-3")).toMatchObject({ status: "running", step: "extract" });
  });
});
