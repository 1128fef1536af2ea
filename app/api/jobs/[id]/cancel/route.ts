import { adminRoute } from "@/lib/http/api";
import { cancelJob } from "@/lib/jobs/service";
import { getServices } from "@/lib/services";

export const POST = adminRoute<{ id: string }>(async (_request, { id }) => {
  const job = await cancelJob(id, await getServices());
  return Response.json({ jobId: job.id, status: job.status });
});
