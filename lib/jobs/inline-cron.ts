import { pollDue } from "../feeds/poll";
import { resumeAbandonedImports } from "../import/inline-shared";
import type { Logger } from "../log";
import type { Services } from "../services";
import { sendDueDeliveries } from "../webhooks/emit";
import { trimOldJobs } from "./retention";
import { SWEEP, sweepStaleJobs } from "./sweep";

/**
 * Periodic work for one-server deploys (PIPELINE_RUNNER=inline), where no Inngest cron exists: one list of tasks,
 * started once per process by lib/services.ts. Under Inngest the same work is a cron function instead.
 * Append a task here; keep `run` short (it shares the server's event loop) and let it say what it did in logs.
 */
export interface InlineTask {
  name: string;
  everyMs: number;
  run: (services: Services) => Promise<unknown>;
}

export const INLINE_TASKS: InlineTask[] = [
  // Retention (the trim-old-jobs cron under Inngest). Hourly, not daily: a server restarted more often than once a
  // day would otherwise never reach its first run; a trim with nothing to delete is one indexed query.
  { name: "trim-old-jobs", everyMs: 60 * 60 * 1000, run: (s) => trimOldJobs(s, s.config.retentionDays) },
  // Following (the poll-feeds cron under Inngest): each tick polls what is due; a round with nothing due is one query.
  { name: "poll-feeds", everyMs: 60 * 1000, run: (s) => pollDue(s) },
  // Webhook attempts whose backoff ended, also those a restart interrupted (deliver-webhook's sleeps under Inngest).
  { name: "webhook-deliveries", everyMs: 15 * 1000, run: (s) => sendDueDeliveries(s) },
  // Imports whose process stopped (import-requested's retries under Inngest): a restart picks them up within a minute.
  { name: "resume-imports", everyMs: 60 * 1000, run: (s) => resumeAbandonedImports(s) },
  // Jobs whose run is gone are resumed from their saved steps (lib/jobs/sweep.ts): nothing waits for a visitor.
  { name: "sweep-stale-jobs", everyMs: SWEEP.everyMs, run: (services) => sweepStaleJobs(services) },
];

export interface InlineCron {
  /** Resolves when every run in progress has ended; no run starts after it. */
  stop(): Promise<void>;
}

/**
 * Runs each task every `everyMs`, never two runs of one task at once (a slow run skips the ticks it overlaps).
 * A failing run is logged and the next tick tries again. Timers are unref'd: they never keep a CLI alive.
 */
export function startInlineCron<S extends { logger: Logger }>(
  services: S,
  tasks: readonly { name: string; everyMs: number; run: (services: S) => Promise<unknown> }[],
): InlineCron {
  const running = new Map<string, Promise<void>>();
  let stopped = false;
  const timers = tasks.map((task) => {
    const tick = () => {
      if (stopped || running.has(task.name)) return;
      const run = task
        .run(services)
        .then(
          () => undefined,
          (error: unknown) => services.logger.warn("inline task failed", { task: task.name, error }),
        )
        .finally(() => running.delete(task.name));
      running.set(task.name, run);
    };
    const timer = setInterval(tick, task.everyMs);
    timer.unref();
    return timer;
  });
  return {
    async stop() {
      stopped = true;
      for (const timer of timers) clearInterval(timer);
      await Promise.all(running.values());
    },
  };
}
