import { describe, expect, it } from "vitest";
import { createLogger, type LogRecord } from "../log";
import type { ProgressKv } from "../progress/kv";
import { createMemoryKv } from "../progress/memory-kv";
import { lastStepRetriable } from "./retriability";

describe("lastStepRetriable: what the failing step said, for the failure inbox", () => {
  it("reads each job's last step.failed, the latest run's when a retry failed again; a job without a log is left out", async () => {
    const kv = createMemoryKv();
    const at = 1;
    // A 404: http_error, whose default is retriable, said permanent by its step.
    await kv.append({ jobId: "gone", at, type: "job.queued" });
    await kv.append({ jobId: "gone", at, type: "step.failed", step: "fetch", data: { retriable: false } });
    await kv.append({ jobId: "gone", at, type: "job.failed", reason: "http_error" });
    // Failed permanently, retried, then failed again in a way worth retrying.
    await kv.append({ jobId: "flaky", at, type: "step.failed", step: "summarize", data: { retriable: false } });
    await kv.append({ jobId: "flaky", at, type: "job.failed", reason: "summarization_failed" });
    await kv.append({ jobId: "flaky", at, type: "job.queued" });
    await kv.append({ jobId: "flaky", at, type: "step.failed", step: "summarize", data: { retriable: true } });
    await kv.append({ jobId: "flaky", at, type: "job.failed", reason: "summarization_failed" });
    // A long log: only its tail is read, and the tail holds the failure.
    for (let i = 0; i < 40; i++) await kv.append({ jobId: "long", at, type: "step.progress", step: "transcribe" });
    await kv.append({ jobId: "long", at, type: "step.failed", step: "transcribe", data: { retriable: false } });
    await kv.append({ jobId: "long", at, type: "job.failed", reason: "transcription_failed" });

    const found = await lastStepRetriable(["gone", "flaky", "long", "expired"], {
      kv,
      logger: createLogger({ level: "error" }),
    });
    expect(Object.fromEntries(found)).toEqual({ gone: false, flaky: true, long: false });
  });

  it("a KV outage is logged once and leaves every job to its reason's default", async () => {
    const records: LogRecord[] = [];
    const kv: ProgressKv = {
      ...createMemoryKv(),
      count: () => Promise.reject(new Error("connection refused")),
    };
    const found = await lastStepRetriable(["a", "b", "c"], {
      kv,
      logger: createLogger({ level: "debug", sink: (r) => records.push(r) }),
    });
    expect(found.size).toBe(0);
    expect(records.map((r) => r.msg)).toEqual(["failure inbox: progress logs unreadable, reasons' defaults used"]);
  });
});
