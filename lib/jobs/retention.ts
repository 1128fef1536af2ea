import type { Services } from "../services";

const DAY_MS = 24 * 60 * 60 * 1000;
/** Rows per delete: each call is a short transaction; a backlog drains over several batches. */
const BATCH = 500;
/** Batches per run: a first run over years of history stops here and the next run continues. */
const MAX_BATCHES = 40;

export interface TrimResult {
  before: string;
  jobs: number;
}

/**
 * Retention: finished jobs (completed, failed, cancelled) not touched for `retentionDays`, and their progress logs,
 * are deleted. Articles are the library and stay. Run by the `trim-old-jobs` Inngest cron or `npm run jobs:trim`.
 */
export async function trimOldJobs(
  services: Pick<Services, "store" | "kv" | "now" | "logger">,
  retentionDays: number,
): Promise<TrimResult> {
  const before = new Date(services.now() - retentionDays * DAY_MS);
  let jobs = 0;
  for (let batch = 0; batch < MAX_BATCHES; batch++) {
    const ids = await services.store.trimFinishedJobs(before, BATCH);
    await services.kv.remove(ids);
    jobs += ids.length;
    if (ids.length < BATCH) break;
  }
  services.logger.info("jobs trimmed", { before: before.toISOString(), jobs, retentionDays });
  return { before: before.toISOString(), jobs };
}
