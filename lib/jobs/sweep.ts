import { AppError } from "../errors";
import { markJobFailed } from "./lifecycle";
import { dispatchOf, type JobServices, runKeyOf } from "./service";

/**
 * How long a job may sit unchanged before the sweep looks at it. Inline: a running inline job always holds a lease,
 * so a minute without one means its run is gone. Inngest holds no lease: a queued job never started is dispatched
 * again after 5 minutes (the event id is the run key, so a send Inngest already had is dropped), and a running job
 * unchanged for longer than the function's `timeouts.finish` (2 h) plus a margin is failed.
 */
export const SWEEP = {
  everyMs: 15_000,
  inlineIdleMs: 60_000,
  inngestQueuedMs: 5 * 60_000,
  inngestRunningMs: 135 * 60_000,
} as const;

export interface SweepResult {
  resumed: number;
  redispatched: number;
  failed: number;
}

/**
 * Nothing waits for a visitor: jobs nobody runs (a lease that ran out, a run that lost its lease, a queued job whose
 * dispatch never started a run) are resumed from their saved steps (inline) or dispatched again or failed with a
 * named reason (Inngest). Runs at server start and then periodically: every minute in the inline runner
 * (lib/jobs/inline-cron.ts), as the `sweep-stale-jobs` cron under Inngest.
 */
export async function sweepStaleJobs(services: JobServices, now = Date.now()): Promise<SweepResult> {
  const result: SweepResult = { resumed: 0, redispatched: 0, failed: 0 };
  const { runner } = services;
  if (runner.resume) {
    for (const job of await services.store.listStaleJobs(SWEEP.inlineIdleMs, 50)) {
      if (await runner.resume(dispatchOf(job, runKeyOf(job)))) result.resumed++;
    }
  } else {
    for (const job of await services.store.listStaleJobs(SWEEP.inngestQueuedMs, 50)) {
      const logger = services.logger.child({ jobId: job.id });
      if (job.status === "queued" && !job.runToken) {
        try {
          await runner.dispatch(dispatchOf(job, runKeyOf(job)));
          result.redispatched++;
        } catch (error) {
          // Kept queued (the card says so): the next sweep tries again.
          logger.warn("the sweep could not dispatch a queued job; it stays queued", { error });
        }
      } else if (job.status === "running" && now - Date.parse(job.updatedAt) > SWEEP.inngestRunningMs) {
        const error = new AppError("timeout", "The job's run stopped: nothing changed for over two hours");
        const failed = await markJobFailed(
          job.id,
          error,
          { ...services, logger },
          {
            as: "abandon",
            token: job.runToken ?? null,
          },
        );
        if (failed) result.failed++;
      }
    }
  }
  if (result.resumed + result.redispatched + result.failed > 0) services.logger.info("swept stale jobs", { ...result });
  return result;
}
