import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { sleep, waitForSignal } from "./wait";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A subscription that records whether it is still registered. */
function subscription() {
  const state = { calls: 0, subscribed: 0, wake: () => {} };
  const subscribe = (wake: () => void) => {
    state.calls += 1;
    state.subscribed += 1;
    state.wake = wake;
    return () => {
      state.subscribed -= 1;
    };
  };
  return { state, subscribe };
}

describe("waitForSignal: a wait leaves nothing behind, however it ends", () => {
  it("ends on a wake-up: unsubscribed, its timer cleared", async () => {
    const { state, subscribe } = subscription();
    const controller = new AbortController();
    const waiting = waitForSignal(subscribe, 10_000, controller.signal);
    expect(state.subscribed).toBe(1);
    state.wake();
    await waiting;
    expect(state.subscribed).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("ends on abort, once: unsubscribed, its timer cleared", async () => {
    const { state, subscribe } = subscription();
    const controller = new AbortController();
    const waiting = waitForSignal(subscribe, 10_000, controller.signal);
    controller.abort();
    await waiting;
    expect(state.subscribed).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("ends on its timeout: unsubscribed", async () => {
    const { state, subscribe } = subscription();
    let done = false;
    const waiting = waitForSignal(subscribe, 500).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(499);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await waiting;
    expect(state.subscribed).toBe(0);
  });

  it("does not subscribe at all for a signal that is already aborted", async () => {
    const { state, subscribe } = subscription();
    await waitForSignal(subscribe, 10_000, AbortSignal.abort());
    expect(state.calls).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe("sleep", () => {
  it("waits the time asked, and a negative time not at all", async () => {
    let slept = false;
    const sleeping = sleep(100).then(() => {
      slept = true;
    });
    await vi.advanceTimersByTimeAsync(99);
    expect(slept).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await sleeping;
    expect(slept).toBe(true);
    const negative = sleep(-5);
    await vi.advanceTimersByTimeAsync(0);
    await negative;
  });
});
