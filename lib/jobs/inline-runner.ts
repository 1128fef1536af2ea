import { randomUUID } from "node:crypto";
import { AppError, toAppError } from "../errors";
import { createLogger, type Logger } from "../log";
import { runJob } from "../pipeline/run-job";
import type { PipelineDeps } from "../pipeline/types";
import type { StepRunner } from "../ports";
import { sleep } from "../progress/wait";
import { markJobFailed } from "./lifecycle";
import type { JobDispatch, JobRunner } from "./runner";
import { openRun } from "./runs";
import { StaleRunError } from "./transitions";

export interface InlineRunnerOptions {
  /** Retries after the first attempt, as Inngest's `retries`. */
  retries?: number;
  backoffMs?: (attempt: number) => number;
  /** For a run that crashed before it had a job logger. */
  logger?: Logger;
  /** How long a job stays ours without a heartbeat (default 30 s); the heartbeat renews it every third of that. */
  leaseMs?: number;
  /** Runners that may take a job over from one that stopped before it is failed (default 3). */
  maxTakeovers?: number;
  /**
   * Keeps the host alive until a dispatched run ends. In the Next.js server this is `after()`: on a serverless or
   * scale-to-zero host, work started by a request and not registered there can be frozen mid-job.
   */
  keepAlive?: (work: Promise<void>) => void;
}

export interface InlineRunner extends JobRunner {
  /** Resolves when the job's current run in this process has ended (completed, failed or cancelled). */
  wait(jobId: string): Promise<void>;
  /** Whether this process is running the job now. */
  isRunning(jobId: string): boolean;
  resume(job: JobDispatch): Promise<boolean>;
}

/**
 * Runs the same composition in this process, with Inngest's semantics on one machine: steps are memoized
 * per run, a failed run is re-executed with attempt + 1 and only the failed step runs again, permanent
 * errors stop at once. A convenience for the CLI, tests and keyless development — never the scaling path.
 *
 * Durable too: every step's output is saved in the store (job id + run key + step id), and the job is held under a
 * lease its heartbeat renews. When the process dies (a killed CLI, a restarted `npm run dev`), the lease runs out and
 * `resume` — called by the sweep (lib/jobs/sweep.ts), the next submission of the URL or the CLI — continues the run
 * from its saved steps. A job that has stopped `maxTakeovers` runners is failed with a named reason (`timeout`).
 *
 * Every start is a run with a fresh token (never one per process): the lease, the step outputs, the job's status and
 * the article are written only while that token holds the job, so a cancelled run, or a paused one whose job was
 * taken over, can finish its in-flight step but never write it.
 */
export function createInlineRunner(
  getDeps: (jobId: string) => Promise<PipelineDeps>,
  options: InlineRunnerOptions = {},
): InlineRunner {
  const retries = options.retries ?? 3;
  const backoffMs = options.backoffMs ?? ((attempt: number) => Math.min(1_000 * 2 ** attempt, 30_000));
  const logger = options.logger ?? createLogger();
  const leaseMs = options.leaseMs ?? 30_000;
  const maxTakeovers = options.maxTakeovers ?? 3;
  const running = new Map<string, { controller: AbortController; done: Promise<void> }>();

  async function run(job: JobDispatch, controller: AbortController, onLease: (held: boolean) => void): Promise<void> {
    const signal = controller.signal;
    const deps = await getDeps(job.jobId);
    const token = randomUUID();
    const opened = await openRun(job.jobId, token, deps, { leaseMs });
    onLease(opened.started);
    if (!opened.started) return;
    const release = () =>
      deps.store.releaseJob(job.jobId, token).catch((error: unknown) => {
        deps.logger.warn("could not release the job's lease (it expires by itself)", { error });
      });
    if (opened.takeovers > maxTakeovers) {
      const reason = `The job stopped its runner ${opened.takeovers} times (no heartbeat within the lease)`;
      await markJobFailed(job.jobId, new AppError("timeout", reason), deps, { as: "fail", token });
      await release();
      return;
    }
    if (opened.takeovers > 0) deps.logger.warn("resuming a job whose runner stopped", { takeovers: opened.takeovers });
    // The heartbeat: a lost lease (cancelled, or another runner took over) stops this run at its next step.
    const heartbeat = setInterval(() => {
      deps.store.leaseJob(job.jobId, token, leaseMs, "renew").then(
        (renewed) => {
          if (!renewed.held) controller.abort();
        },
        (error: unknown) => deps.logger.warn("could not renew the job's lease", { error }),
      );
    }, leaseMs / 3);
    heartbeat.unref();
    try {
      const memo = new Map(Object.entries(await deps.store.loadStepResults(job.jobId, job.runKey)));
      const step: StepRunner = {
        async run<T>(id: string, fn: () => Promise<T>): Promise<T> {
          if (memo.has(id)) return memo.get(id) as T;
          if (signal.aborted) throw new AppError("cancelled", "The job was cancelled");
          // A JSON round trip, as Inngest does with step output, so both runners hand stages the same values.
          const result = JSON.parse(JSON.stringify((await fn()) ?? null)) as T;
          if (!(await deps.store.saveStepResult(job.jobId, job.runKey, id, result, token))) {
            const now = await deps.store.getJob(job.jobId);
            // The save step completed the job itself: its output has nothing left to resume.
            if (now?.status === "completed" && now.runToken === token) return result;
            deps.logger.warn("stale write refused: the job is no longer held by this run", { step: id });
            throw new StaleRunError(`the ${id} step's output`, now);
          }
          memo.set(id, result);
          return result;
        },
      };
      for (let attempt = 0; ; attempt++) {
        try {
          await runJob(
            job,
            step,
            { ...deps, logger: deps.logger.child({ runId: job.runKey, attempt }) },
            { attempt, token },
          );
          return;
        } catch (error) {
          const appError = toAppError(error);
          if (appError.reason === "cancelled" || signal.aborted) return;
          if (!appError.retriable || attempt >= retries) {
            await markJobFailed(job.jobId, appError, deps, { as: "fail", token });
            return;
          }
          await sleep(appError.retryAfterMs ?? backoffMs(attempt), signal);
        }
      }
    } finally {
      clearInterval(heartbeat);
      await release();
    }
  }

  /** Starts the run; resolves once the lease is decided (whether this process runs the job), not when it ends. */
  function start(job: JobDispatch): Promise<boolean> {
    const controller = new AbortController();
    let decided: (held: boolean) => void = () => undefined;
    const leased = new Promise<boolean>((resolve) => {
      decided = resolve;
    });
    const done = run(job, controller, decided)
      .catch((error: unknown) => logger.error("inline run crashed", { jobId: job.jobId, error }))
      .finally(() => {
        decided(false);
        if (running.get(job.jobId)?.controller === controller) running.delete(job.jobId);
      });
    running.set(job.jobId, { controller, done });
    return leased;
  }

  return {
    kind: "inline",
    async dispatch(job) {
      void start(job);
      // Registered with the request that dispatched it; a resume at start-up has no request and needs none.
      const done = running.get(job.jobId)?.done;
      if (done) options.keepAlive?.(done);
    },
    async resume(job) {
      if (running.has(job.jobId)) return true;
      const deps = await getDeps(job.jobId);
      const runKey = (await deps.store.latestRunKey(job.jobId)) ?? job.runKey;
      return start({ ...job, runKey });
    },
    isRunning: (jobId) => running.has(jobId),
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
