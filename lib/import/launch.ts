import { after } from "next/server";
import { importRequested, inngest } from "@/inngest/client";
import { AppError } from "../errors";
import type { Services } from "../services";
import { processImportRunner } from "./inline-shared";

/** Starts an import's background run where the jobs run: an Inngest event, or the inline runner in this process. */
export async function launchImport(importId: string, services: Services): Promise<void> {
  if (services.runner.kind === "inline") {
    // Registered with the request, as inline jobs are: a scale-to-zero host must not freeze the run.
    processImportRunner(services).start(importId, (work) => after(work));
    return;
  }
  try {
    // The event id makes a repeated send harmless.
    await inngest.send(importRequested.create({ importId }, { id: `import-${importId}` }));
  } catch (cause) {
    throw new AppError("internal", "Could not hand the import to Inngest", { cause });
  }
}

/** An inline import whose process stopped is picked up when someone looks at it (and by the inline cron). */
export async function resumeImportIfAbandoned(importId: string, services: Services): Promise<void> {
  if (services.runner.kind !== "inline") return;
  const abandoned = await services.store.listAbandonedImports(20);
  if (abandoned.includes(importId)) processImportRunner(services).start(importId, (work) => after(work));
}
