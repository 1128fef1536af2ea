import { afterEach, describe, expect, it, vi } from "vitest";
import { createLogger, type LogRecord } from "../log";
import { startInlineCron } from "./inline-cron";

describe("inline cron", () => {
  afterEach(() => vi.useRealTimers());

  it("runs each task on its period, never two runs of one task at once, and keeps going after a failure", async () => {
    vi.useFakeTimers();
    const records: LogRecord[] = [];
    const logger = createLogger({ level: "debug", sink: (r) => records.push(r) });
    let slowRuns = 0;
    let release: () => void = () => undefined;
    let failing = 0;
    const cron = startInlineCron({ logger }, [
      {
        name: "slow",
        everyMs: 100,
        run: () => {
          slowRuns++;
          return new Promise<void>((resolve) => {
            release = resolve;
          });
        },
      },
      {
        name: "failing",
        everyMs: 100,
        run: async () => {
          failing++;
          throw new Error("boom");
        },
      },
    ]);
    await vi.advanceTimersByTimeAsync(350);
    // The slow task is still in its first run: the later ticks were skipped.
    expect(slowRuns).toBe(1);
    expect(failing).toBe(3);
    expect(records.filter((r) => r.msg === "inline task failed")).toHaveLength(3);
    release();
    await vi.advanceTimersByTimeAsync(100);
    expect(slowRuns).toBe(2);
    const stopping = cron.stop();
    release();
    await stopping;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(slowRuns).toBe(2);
    expect(failing).toBe(4);
  });
});
