/**
 * Resolves on the first of: a wake-up from `subscribe`, the timeout, or the abort signal.
 * `subscribe` registers the wake-up and returns its own cleanup.
 */
export function waitForSignal(
  subscribe: (wake: () => void) => () => void,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    let unsubscribe = () => {};
    const done = () => {
      clearTimeout(timer);
      unsubscribe();
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    signal?.addEventListener("abort", done, { once: true });
    unsubscribe = subscribe(done);
  });
}

/** Waits `ms`, or less when `signal` aborts; leaves no timer or listener behind either way. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return waitForSignal(() => () => {}, Math.max(0, ms), signal);
}
