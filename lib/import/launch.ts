import { after } from "next/server";
import { inngest } from "@/inngest/client";
import { importRequested } from "@/inngest/functions/import-requested";
import { AppError } from "../errors";
import type { Services } from "../services";
import { createInlineImportRunner, type InlineImportRunner } from "./inline";

// On globalThis, as the services are: one inline import runner per process, across Next.js dev reloads.
const shared = globalThis as typeof globalThis & { __articleSummarizerImports?: InlineImportRunner };

function inlineRunner(services: Services): InlineImportRunner {
  if (!shared.__articleSummarizerImports) {
    const runner = createInlineImportRunner(services, { keepAlive: (work) => after(work) });
    shared.__articleSummarizerImports = runner;
    runner.resumeAbandoned().catch((error: unknown) => services.logger.warn("could not resume imports", { error }));
  }
  return shared.__articleSummarizerImports;
}

/** Starts an import's background run where the jobs run: an Inngest event, or the inline runner in this process. */
export async function launchImport(importId: string, services: Services): Promise<void> {
  if (services.runner.kind === "inline") {
    inlineRunner(services).start(importId);
    return;
  }
  try {
    // The event id makes a repeated send harmless.
    await inngest.send(importRequested.create({ importId }, { id: `import-${importId}` }));
  } catch (cause) {
    throw new AppError("internal", "Could not hand the import to Inngest", { cause });
  }
}

/** An inline import whose process stopped is picked up when someone looks at it (and at the next start). */
export async function resumeImportIfAbandoned(importId: string, services: Services): Promise<void> {
  if (services.runner.kind !== "inline") return;
  const abandoned = await services.store.listAbandonedImports(20);
  if (abandoned.includes(importId)) inlineRunner(services).start(importId);
}
