import { AppError } from "@/lib/errors";
import { markJobFailed } from "@/lib/jobs/lifecycle";
import { openRun } from "@/lib/jobs/runs";
import { toInngestError } from "@/lib/pipeline/inngest-errors";
import { runJob } from "@/lib/pipeline/run-job";
import type { PipelineDeps } from "@/lib/pipeline/types";
import type { StepRunner } from "@/lib/ports";
import { getServices, pipelineDeps } from "@/lib/services";
import { articleCancelled, articleSubmitted, inngest } from "../client";

export type DepsFactory = (jobId: string) => Promise<PipelineDeps>;

const defaultDeps: DepsFactory = async (jobId) => pipelineDeps(await getServices(), jobId);

/**
 * The durable pipeline. Definition (id, trigger, limits) here; the stages are in lib/pipeline/.
 * `getDeps` is injectable so @inngest/test runs pass fakes.
 */
export function createProcessArticle(getDeps: DepsFactory = defaultDeps) {
  return inngest.createFunction(
    {
      id: "process-article",
      name: "Process article",
      triggers: [articleSubmitted],
      retries: 3,
      // One run per submission (a retry from the app sends a new run key).
      idempotency: "event.data.runKey",
      concurrency: { limit: 5 },
      cancelOn: [{ event: articleCancelled, if: "async.data.jobId == event.data.jobId" }],
      timeouts: { finish: "2h" },
      onFailure: ({ event, error }) =>
        onProcessArticleFailure(event.data.event.data.jobId, error, getDeps, event.data.run_id),
    },
    async ({ event, step, attempt, runId }) => {
      const { jobId } = event.data;
      const deps = await getDeps(jobId);
      // The run takes the job with its run id, in its first step; a run the job has not seen (dashboard Rerun,
      // Replay) announces itself in the progress log. "Rerun from step" hands a new run this step's memoized output
      // from the earlier run: the token then differs and the new run takes the job here (idempotent for a token that
      // already holds it, so later invocations of the run change nothing).
      const open = async () => {
        const { started, job } = await openRun(jobId, runId, deps, { runId });
        return { token: runId, started, status: job.status, articleId: job.articleId ?? null };
      };
      const memoized = await step.run("run", open);
      const opened = memoized.token === runId ? memoized : await open();
      if (!opened.started) {
        return {
          skipped: true,
          status: opened.status,
          articleId: opened.articleId,
          message:
            opened.status === "completed"
              ? "The job is already completed: this run does nothing"
              : `The job is ${opened.status} and held by another run: this run does nothing`,
        };
      }
      // Step outputs are plain JSON by construction (see lib/ports.ts), so Jsonify<T> is T here.
      const durable: StepRunner = {
        run: <T>(id: string, fn: () => Promise<T>) =>
          step.run(id, async () => {
            try {
              return await fn();
            } catch (error) {
              throw toInngestError(error);
            }
          }) as Promise<T>,
      };
      return runJob(
        { ...event.data, force: event.data.force ?? false },
        durable,
        { ...deps, logger: deps.logger.child({ runId, attempt }) },
        { attempt, runId, token: runId },
      );
    },
  );
}

/**
 * After the last retry: the job row and the progress log say why, and the relay closes. The failing stage recorded
 * its `{ reason, message }` on the job row (Inngest hands this handler only a serialized error).
 */
export async function onProcessArticleFailure(
  jobId: string,
  error: { message?: string },
  getDeps: DepsFactory = defaultDeps,
  /** The failed run's id: the failure is recorded only while that run holds the job. */
  runId: string | null = null,
): Promise<void> {
  const deps = await getDeps(jobId);
  const job = await deps.store.getJob(jobId).catch((storeError: unknown) => {
    deps.logger.error("could not read the failed step's reason", { error: storeError });
    return null;
  });
  const failure = job?.reason
    ? new AppError(job.reason, job.message ?? "The job failed")
    : new AppError("internal", error.message ?? "The job failed");
  // A run that failed before it took the job (its dependencies could not be built) fails the job nobody holds.
  const unstarted = job?.status === "queued" && !job.runToken;
  await markJobFailed(jobId, failure, deps, unstarted ? { as: "abandon", token: null } : { as: "fail", token: runId });
}

export const processArticleFn = createProcessArticle();
