import { z } from "zod";
import { AppError } from "@/lib/errors";
import { adminRoute, readJson } from "@/lib/http/api";
import { trimOldJobs } from "@/lib/jobs/retention";
import { getServices } from "@/lib/services";

const trimSchema = z.object({ days: z.number().int().min(1).max(3650).optional() }).strict();

/**
 * Retention on demand (`npm run jobs:trim` without a source checkout: the standalone folder has no scripts or tsx):
 * finished jobs older than `days` (default RETENTION_DAYS) and their progress logs. 200 `{ before, jobs }`.
 */
export const POST = adminRoute(async (request) => {
  const hasBody = (request.headers.get("content-length") ?? "0") !== "0" || request.headers.has("content-type");
  const body = trimSchema.safeParse(hasBody ? await readJson(request) : {});
  if (!body.success)
    throw new AppError("invalid_body", 'Send no body, or { "days": N } (1 to 3650)', { cause: body.error });
  const services = await getServices();
  return Response.json(await trimOldJobs(services, body.data.days ?? services.config.retentionDays));
});
