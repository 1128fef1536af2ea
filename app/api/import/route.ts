import { AppError } from "@/lib/errors";
import { adminRoute } from "@/lib/http/api";
import { mediaType } from "@/lib/http/request-guard";
import { launchImport } from "@/lib/import/launch";
import { MAX_IMPORT_BYTES, parseImport } from "@/lib/import/parse";
import { createImport } from "@/lib/import/service";
import { getServices } from "@/lib/services";

/**
 * Import a library: the export file is the request body (Pocket HTML or CSV, Instapaper CSV, Omnivore JSON/CSV,
 * Readwise Reader CSV, or a list of URLs), its name in `?filename=`. Capped at 10 MB while it streams, parsed as it
 * arrives; up to 5,000 URLs become jobs in the background. 202 with the import and where to follow it.
 */
export const POST = adminRoute(async (request) => {
  const type = mediaType(request);
  if (type.startsWith("multipart/") || type === "application/x-www-form-urlencoded") {
    throw new AppError("invalid_body", "Send the export file itself as the body (curl --data-binary @export.html)");
  }
  const declared = request.headers.get("content-length");
  if (declared !== null && /^\d+$/.test(declared) && Number(declared) > MAX_IMPORT_BYTES) {
    await request.body?.cancel().catch(() => undefined);
    throw new AppError("too_large", `The file is over ${MAX_IMPORT_BYTES / 1024 / 1024} MB`);
  }
  const filename = new URL(request.url).searchParams.get("filename");
  const parsed = await parseImport(request.body, { filename: filename ?? undefined, contentType: type });
  const services = await getServices();
  const record = await createImport(parsed, filename, services, (id) => launchImport(id, services));
  return Response.json(
    { importId: record.id, format: record.format, total: record.total, statusUrl: `/api/import/${record.id}` },
    { status: 202, headers: { Location: `/api/import/${record.id}` } },
  );
});
