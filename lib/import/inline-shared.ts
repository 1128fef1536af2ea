import { createInlineImportRunner, type InlineImportRunner } from "./inline";
import type { ImportServices } from "./service";

// On globalThis, as the services are: one inline import runner per process, across Next.js dev reloads.
const shared = globalThis as typeof globalThis & { __articleSummarizerImports?: InlineImportRunner };

/** This process's inline import runner (PIPELINE_RUNNER=inline). */
export function processImportRunner(services: ImportServices): InlineImportRunner {
  shared.__articleSummarizerImports ??= createInlineImportRunner(services);
  return shared.__articleSummarizerImports;
}

/** The inline cron's task: imports whose process stopped are run again here. */
export const resumeAbandonedImports = (services: ImportServices): Promise<number> =>
  processImportRunner(services).resumeAbandoned();
