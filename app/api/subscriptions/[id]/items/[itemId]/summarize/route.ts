import { summarizeItem } from "@/lib/feeds/poll";
import { adminRoute } from "@/lib/http/api";
import { getServices } from "@/lib/services";

/** "Summarize" for an item the poll skipped (or whose job failed): a job, like any submitted URL. */
export const POST = adminRoute<{ id: string; itemId: string }>(async (_request, { id, itemId }) => {
  const jobId = await summarizeItem(id, itemId, await getServices());
  return Response.json({ jobId, eventsUrl: `/api/jobs/${jobId}/events` }, { status: 202 });
});
