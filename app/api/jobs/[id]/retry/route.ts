import { adminRoute } from "@/lib/http/api";
import { retryJob } from "@/lib/jobs/service";
import { getServices } from "@/lib/services";

export const POST = adminRoute<{ id: string }>(async (_request, { id }) => {
  const job = await retryJob(id, await getServices());
  return Response.json({ jobId: job.id, status: job.status, eventsUrl: `/api/jobs/${job.id}/events` }, { status: 202 });
});
