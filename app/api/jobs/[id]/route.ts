import { adminRoute } from "@/lib/http/api";
import { getJobSnapshot } from "@/lib/jobs/service";
import { getServices } from "@/lib/services";

/** The job's snapshot; `?after=seq` adds the events after seq (the polling fallback for clients without SSE). */
export const GET = adminRoute<{ id: string }>(async (request, { id }) => {
  const after = new URL(request.url).searchParams.get("after");
  const seq = after === null ? undefined : Math.max(0, Number.parseInt(after, 10) || 0);
  return Response.json(await getJobSnapshot(id, await getServices(), seq));
});
