import { describe, expect, it } from "vitest";
import type { StepRunner } from "../ports";
import { mapSteps } from "./steps";

/** Memoizes by id, as Inngest and the inline runner do, and records which steps actually ran. */
function memoRunner() {
  const memo = new Map<string, unknown>();
  const ran: string[] = [];
  const step: StepRunner = {
    async run<T>(id: string, fn: () => Promise<T>): Promise<T> {
      if (memo.has(id)) return memo.get(id) as T;
      ran.push(id);
      const value = await fn();
      memo.set(id, value);
      return value;
    },
  };
  return { step, ran };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe("mapSteps", () => {
  it("runs one step per item under the bound and returns results in item order", async () => {
    const { step, ran } = memoRunner();
    let inFlight = 0;
    let peak = 0;
    const out = await mapSteps(
      step,
      "chunk",
      [5, 1, 4, 2, 3],
      async (n, i) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        for (let k = 0; k < n; k++) await tick();
        inFlight--;
        return `${i}:${n}`;
      },
      { concurrency: 2 },
    );
    expect(out).toEqual(["0:5", "1:1", "2:4", "3:2", "4:3"]);
    expect(peak).toBe(2);
    expect([...ran].sort()).toEqual(["chunk:0", "chunk:1", "chunk:2", "chunk:3", "chunk:4"]);
  });

  it("waits for started steps before failing, starts none after, and a rerun repeats only the unfinished", async () => {
    const { step, ran } = memoRunner();
    let fail = true;
    const fn = async (n: number) => {
      if (n === 1 && fail) throw new Error("chunk 1 broke");
      await tick();
      await tick();
      return n * 10;
    };
    await expect(mapSteps(step, "c", [0, 1, 2, 3], fn, { concurrency: 2 })).rejects.toThrow("chunk 1 broke");
    // c:0 was in flight when c:1 failed: it finished; c:2 and c:3 were never started.
    expect(ran).toEqual(["c:0", "c:1"]);
    fail = false;
    ran.length = 0;
    await expect(mapSteps(step, "c", [0, 1, 2, 3], fn, { concurrency: 2 })).resolves.toEqual([0, 10, 20, 30]);
    expect(ran).toEqual(["c:1", "c:2", "c:3"]);
  });
});
