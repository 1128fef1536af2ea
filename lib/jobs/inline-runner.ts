import { AppError, toAppError } from "../errors";
import { createLogger, type Logger } from "../log";
import { runJob } from "../pipeline/run-job";
import type { PipelineDeps, StepRunner } from "../pipeline/types";
import { sleep } from "../progress/wait";
import { markJobFailed } from "./lifecycle";
import type { JobDispatch, JobRunner } from "./runner";

export interface InlineRunnerOptions {
  /** Retries after the first attempt, as Inngest's `retries`. */
  retries?: number;
  backoffMs?: (attempt: number) => number;
  /** For a run that crashed before it had a job logger. */
  logger?: Logger;
}

export interface InlineRunner extends JobRunner {
  /** Resolves when the job's current run has ended (completed, failed or cancelled). */
  wait(jobId: string): Promise<void>;
}

/**
 * Runs the same composition in this process, with Inngest's semantics on one machine: steps are memoized
 * per run, a failed run is re-executed with attempt + 1 and only the failed step runs again, permanent
 * errors stop at once. A convenience for the CLI, tests and keyless development — never the scaling path.
 */
export function createInlineRunner(
  getDeps: (jobId: string) => Promise<PipelineDeps>,
  options: InlineRunnerOptions = {},
): InlineRunner {
  const retries = options.retries ?? 3;
  const backoffMs = options.backoffMs ?? ((attempt: number) => Math.min(1_000 * 2 ** attempt, 30_000));
  const logger = options.logger ?? createLogger();
  const running = new Map<string, { controller: AbortController; done: Promise<void> }>();

  async function run(job: JobDispatch, signal: AbortSignal): Promise<void> {
    const deps = await getDeps(job.jobId);
    const memo = new Map<string, unknown>();
    const step: StepRunner = {
      async run<T>(id: string, fn: () => Promise<T>): Promise<T> {
        if (memo.has(id)) return memo.get(id) as T;
        if (signal.aborted) throw new AppError("cancelled", "The job was cancelled");
        // A JSON round trip, as Inngest does with step output, so both runners hand stages the same values.
        const result = JSON.parse(JSON.stringify((await fn()) ?? null)) as T;
        memo.set(id, result);
        return result;
      },
    };
    for (let attempt = 0; ; attempt++) {
      try {
        await runJob(job, step, deps, { attempt });
        return;
      } catch (error) {
        const appError = toAppError(error);
        if (appError.reason === "cancelled" || signal.aborted) return;
        if (!appError.retriable || attempt >= retries) {
          await markJobFailed(job.jobId, appError, deps);
          return;
        }
        await sleep(appError.retryAfterMs ?? backoffMs(attempt), signal);
      }
    }
  }

  return {
    kind: "inline",
    async dispatch(job) {
      const controller = new AbortController();
      const done = run(job, controller.signal)
        .catch((error: unknown) => logger.error("inline run crashed", { jobId: job.jobId, error }))
        .finally(() => {
          if (running.get(job.jobId)?.controller === controller) running.delete(job.jobId);
        });
      running.set(job.jobId, { controller, done });
    },
    async cancel(jobId) {
      running.get(jobId)?.controller.abort();
    },
    async wait(jobId) {
      await running.get(jobId)?.done;
    },
    async ping() {
      return true;
    },
  };
}
