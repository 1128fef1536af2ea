import type { TerminalListener } from "../progress/publisher";
import type { WebhookServices } from "./deliver";
import { emitWebhook } from "./emit";

/**
 * `article.saved` and `job.failed` from the jobs' terminal events: every path that ends a job publishes one (the
 * pipeline's save step, a summary version, a failure after the last retry), inside its step, so a replay does not
 * repeat it. A completed job that only found an article already saved (deduplicated) saved nothing.
 */
export function jobWebhooks(services: WebhookServices): TerminalListener {
  return async (event) => {
    if (event.type === "job.completed") {
      const data = event.data;
      if (!data?.articleId || data.deduplicated) return;
      await emitWebhook(
        "article.saved",
        { jobId: event.jobId, articleId: data.articleId, ...(data.title ? { title: data.title } : {}) },
        services,
      );
    } else if (event.type === "job.failed") {
      await emitWebhook(
        "job.failed",
        { jobId: event.jobId, reason: event.reason ?? "internal", message: event.message ?? "" },
        services,
      );
    }
  };
}
