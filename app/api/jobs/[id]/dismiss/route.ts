import type { Job } from "@/lib/domain";
import { adminRoute } from "@/lib/http/api";
import { dismissJob } from "@/lib/jobs/service";
import { getServices } from "@/lib/services";

const answer = (job: Job) => Response.json({ jobId: job.id, status: job.status, dismissedAt: job.dismissedAt ?? null });

/** Dismiss a failed or cancelled job from the failure inbox (it stays retriable). */
export const POST = adminRoute<{ id: string }>(async (_request, { id }) =>
  answer(await dismissJob(id, true, await getServices())),
);

/** Undo a dismissal: the job is back in the inbox. */
export const DELETE = adminRoute<{ id: string }>(async (_request, { id }) =>
  answer(await dismissJob(id, false, await getServices())),
);
