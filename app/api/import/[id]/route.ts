import { AppError } from "@/lib/errors";
import { adminRoute } from "@/lib/http/api";
import { resumeImportIfAbandoned } from "@/lib/import/launch";
import { assertImportId } from "@/lib/import/service";
import { getServices } from "@/lib/services";

/** An import's progress and report: counts per outcome, its jobs per status, every refused or duplicate entry. */
export const GET = adminRoute<{ id: string }>(async (_request, { id }) => {
  const services = await getServices();
  const report = await services.store.getImportReport(assertImportId(id));
  if (!report) throw new AppError("not_found", `No import ${id}`);
  if (report.status === "queued" || report.status === "running") await resumeImportIfAbandoned(id, services);
  return Response.json(report);
});
