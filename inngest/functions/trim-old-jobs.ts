import { trimOldJobs } from "@/lib/jobs/retention";
import { getServices } from "@/lib/services";
import { inngest } from "../client";

/** Daily retention: finished jobs older than RETENTION_DAYS (default 30) and their progress logs. */
export const trimOldJobsFn = inngest.createFunction(
  {
    id: "trim-old-jobs",
    name: "Trim old jobs",
    triggers: [{ cron: "TZ=UTC 17 3 * * *" }],
    retries: 2,
    // One at a time: two overlapping runs would only race on the same rows.
    concurrency: { limit: 1 },
  },
  async ({ step }) =>
    step.run("trim", async () => {
      const services = await getServices();
      return trimOldJobs(services, services.config.retentionDays);
    }),
);
