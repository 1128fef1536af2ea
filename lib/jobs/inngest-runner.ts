import { articleCancelled, articleSubmitted, inngest } from "@/inngest/client";
import { AppError } from "../errors";
import type { JobRunner } from "./runner";

/** Hands jobs to Inngest (Cloud or Dev Server); retries, memoization and cancellation are Inngest's. */
export function createInngestRunner(): JobRunner {
  return {
    kind: "inngest",
    async dispatch(job) {
      try {
        // The event id makes a duplicated send harmless: Inngest drops repeats of an id.
        await inngest.send(articleSubmitted.create(job, { id: job.runKey }));
      } catch (cause) {
        throw new AppError("internal", "Could not hand the job to Inngest", { cause });
      }
    },
    async cancel(jobId) {
      await inngest.send(articleCancelled.create({ jobId }));
    },
    async ping() {
      return true;
    },
  };
}
