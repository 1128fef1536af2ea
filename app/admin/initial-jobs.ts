import type { InitialJob } from "@/app/components/admin-app";
import { inngestRunUrl } from "@/lib/jobs/inngest-runner";
import type { ProgressEvent } from "@/lib/progress/events";
import type { Services } from "@/lib/services";
import { cardArticle, settleView } from "@/lib/ui/job-card";
import { applyEvents, emptyJobView } from "@/lib/ui/job-view";

/** Enough for any job's log (a long transcription reports once per chunk); a longer one is finished by the stream. */
const LOG_LIMIT = 2_000;

/**
 * The cards' first paint, on the server: each job's progress log replayed and settled against its row, and the
 * article a finished job made. A card then never flashes its raw id, `queued` or six pending stages, and a job
 * whose log expired still shows how it ran.
 */
export async function initialJobs(
  ids: string[],
  services: Pick<Services, "store" | "kv" | "config" | "logger">,
): Promise<InitialJob[]> {
  const cards = await Promise.all(
    ids.map(async (jobId): Promise<InitialJob | null> => {
      // The log first, then the row: a row still live after the log's last run ended means a new run began.
      const events = await services.kv.readAfter(jobId, 0, LOG_LIMIT).catch((error: unknown): ProgressEvent[] => {
        services.logger.warn("could not read a job's progress log; the card is drawn from its row", { jobId, error });
        return [];
      });
      const job = await services.store.getJob(jobId);
      if (!job) return null;
      const view = settleView(applyEvents(emptyJobView(jobId, job.url), events), job);
      const article =
        view.status === "completed" && view.articleId ? await services.store.getArticle(view.articleId) : null;
      return {
        jobId,
        initial: view,
        ...(article ? { article: cardArticle(article) } : {}),
        ...(job.runId ? { runUrl: inngestRunUrl(job.runId, services.config.inngest) } : {}),
      };
    }),
  );
  return cards.filter((card): card is InitialJob => card !== null);
}
