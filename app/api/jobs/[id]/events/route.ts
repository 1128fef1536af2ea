import { AppError } from "@/lib/errors";
import { adminRoute, requestIsAuthorized } from "@/lib/http/api";
import { createEventStream, parseLastEventId, SSE_HEADERS } from "@/lib/progress/relay";
import { getLogger, getServices } from "@/lib/services";

/** Vercel's cap for this route; the stream ends itself 15 s before it so the browser reconnects cleanly. */
export const maxDuration = 300;

/**
 * Relays the job's progress log: replay after Last-Event-ID (or ?after=), then live, heartbeats,
 * closed after the terminal event. Reads KV only; the job writes there from wherever it runs.
 */
export const GET = adminRoute<{ id: string }>(async (request, { id }) => {
  const { store, kv } = await getServices();
  if (!(await store.getJob(id))) throw new AppError("not_found", `No job ${id}`);
  const stream = createEventStream({
    kv,
    jobId: id,
    after: parseLastEventId(request),
    signal: request.signal,
    maxLifetimeMs: (maxDuration - 15) * 1_000,
    stillAuthorized: () => requestIsAuthorized(request),
    onError: (error) => getLogger().error("relay: reading the progress log failed", { jobId: id, error }),
  });
  return new Response(stream, { headers: SSE_HEADERS });
});
