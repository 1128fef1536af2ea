import { articleCancelled, articleSubmitted, inngest } from "../client";
import { markJobFailed } from "@/lib/jobs/lifecycle";
import { createLogger } from "@/lib/log";
import { appErrorFromSerialized, toInngestError } from "@/lib/pipeline/inngest-errors";
import { processArticle } from "@/lib/pipeline/process-article";
import type { PipelineDeps, StepRunner } from "@/lib/pipeline/types";
import { getServices, pipelineDeps } from "@/lib/services";

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
      onFailure: ({ event, error }) => onProcessArticleFailure(event.data.event.data.jobId, error, getDeps),
    },
    async ({ event, step, attempt }) => {
      const { jobId, url, force } = event.data;
      const deps = await getDeps(jobId);
      // Step outputs are plain JSON by construction (see lib/pipeline/types.ts), so Jsonify<T> is T here.
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
      return processArticle({ jobId, url, force }, durable, { ...deps, logger: createLogger(jobId) }, { attempt });
    },
  );
}

/** After the last retry: the job row and the progress log say why, and the relay closes. */
export async function onProcessArticleFailure(
  jobId: string,
  error: { message?: string },
  getDeps: DepsFactory = defaultDeps,
): Promise<void> {
  await markJobFailed(jobId, appErrorFromSerialized(error), await getDeps(jobId));
}

export const processArticleFn = createProcessArticle();
