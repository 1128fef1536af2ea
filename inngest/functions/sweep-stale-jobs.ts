import { sweepStaleJobs } from "@/lib/jobs/sweep";
import { getServices } from "@/lib/services";
import { inngest } from "../client";

/** Nothing waits for a visitor: every 5 minutes, jobs whose run is gone are dispatched again or failed (lib/jobs/sweep.ts). */
export const sweepStaleJobsFn = inngest.createFunction(
  {
    id: "sweep-stale-jobs",
    name: "Sweep stale jobs",
    triggers: [{ cron: "TZ=UTC */5 * * * *" }],
    retries: 1,
    concurrency: { limit: 1 },
  },
  async ({ step }) => step.run("sweep", async () => sweepStaleJobs(await getServices())),
);
