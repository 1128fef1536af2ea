import { DEFAULT_THROTTLE, type ImportServices, type ImportThrottle, runImport } from "@/lib/import/service";
import { getServices } from "@/lib/services";
import { importRequested, inngest } from "../client";

export type ImportServicesFactory = () => Promise<ImportServices>;

/**
 * An uploaded export's background run: `expand` steps (validate, dedupe, create the jobs, 250 entries each), then
 * `dispatch` rounds handing the jobs to process-article under the per-host throttle (lib/import/service.ts).
 */
export function createImportRequested(
  getImportServices: ImportServicesFactory = getServices,
  throttle: ImportThrottle = DEFAULT_THROTTLE,
) {
  return inngest.createFunction(
    {
      id: "import-requested",
      name: "Import a library",
      triggers: [importRequested],
      retries: 5,
      idempotency: "event.data.importId",
      // Two imports at once at most: each keeps its own jobs throttled per host.
      concurrency: { limit: 2 },
      onFailure: async ({ event, error }) => {
        const services = await getImportServices();
        await services.store.setImportStatus(
          event.data.event.data.importId,
          "failed",
          error.message ?? "The import failed",
        );
      },
    },
    async ({ event, step }) => {
      const services = await getImportServices();
      await runImport(event.data.importId, { run: (id, fn) => step.run(id, fn) as Promise<never> }, services, throttle);
    },
  );
}

export const importRequestedFn = createImportRequested();
