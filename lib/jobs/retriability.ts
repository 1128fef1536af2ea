import type { Logger } from "../log";
import type { ProgressKv } from "../progress/kv";

/** The last events of a failed run: its `step.failed`, then `job.failed` (a few more when a step logged after). */
const TAIL = 8;
/** KV reads in flight at once: an inbox of 200 jobs is 400 small reads, not 400 at the same moment. */
const AT_ONCE = 16;

/**
 * What each job's last failing step said of a retry (`step.failed`'s `retriable`: a 404 is permanent although
 * `http_error` by default is not), read from the tail of its progress log, so the failure inbox judges a job as its
 * card does. A job whose log is gone (7-day TTL) or unreadable is left out: the reason's default applies then. A KV
 * failure is logged once and ends the reading; the inbox still opens.
 */
export async function lastStepRetriable(
  jobIds: readonly string[],
  deps: { kv: ProgressKv; logger: Logger },
): Promise<Map<string, boolean>> {
  const found = new Map<string, boolean>();
  const readOne = async (jobId: string) => {
    const count = await deps.kv.count(jobId);
    if (count === 0) return;
    const events = await deps.kv.readAfter(jobId, Math.max(0, count - TAIL), TAIL);
    const failed = events.findLast((event) => event.type === "step.failed" && event.data !== undefined);
    if (failed?.type === "step.failed" && failed.data) found.set(jobId, failed.data.retriable);
  };
  try {
    for (let at = 0; at < jobIds.length; at += AT_ONCE) {
      await Promise.all(jobIds.slice(at, at + AT_ONCE).map(readOne));
    }
  } catch (error) {
    deps.logger.warn("failure inbox: progress logs unreadable, reasons' defaults used", { error });
  }
  return found;
}
