import { articleCancelled, articleSubmitted, inngest } from "@/inngest/client";
import type { InngestSettings } from "../env";
import { AppError } from "../errors";
import type { JobRunner } from "./runner";

const CLOUD_EVENT_API = "https://inn.gs";
const DEV_SERVER = "http://localhost:8288";

function devServerUrl(settings: Pick<InngestSettings, "devUrl">): string {
  return (settings.devUrl ?? DEV_SERVER).replace(/\/+$/, "");
}

/** Where the SDK sends events, by its own precedence. */
export function inngestEventApi(settings: Partial<InngestSettings>): string {
  const base =
    settings.eventApiBaseUrl ?? settings.baseUrl ?? (settings.dev ? devServerUrl(settings) : CLOUD_EVENT_API);
  return base.replace(/\/+$/, "");
}

/** The run in the Inngest dashboard (Cloud) or the Dev Server's UI. */
export function inngestRunUrl(runId: string, settings: Partial<InngestSettings>): string {
  const id = encodeURIComponent(runId);
  if (settings.dev) return `${devServerUrl(settings)}/run?runID=${id}`;
  return `https://app.inngest.com/env/${encodeURIComponent(settings.env ?? "production")}/runs/${id}`;
}

/**
 * Whether Inngest answers: the Dev Server's `/dev` info, or the Cloud event API's host. A key is never sent and
 * no event is created; any HTTP answer below 500 within the timeout counts.
 */
export async function probeInngest(
  settings: Partial<InngestSettings>,
  fetchImpl: typeof fetch = fetch,
  timeoutMs = 3_000,
): Promise<boolean> {
  const url = settings.dev ? `${inngestEventApi(settings)}/dev` : `${inngestEventApi(settings)}/`;
  const response = await fetchImpl(url, { signal: AbortSignal.timeout(timeoutMs), redirect: "manual" });
  await response.body?.cancel();
  return response.status < 500;
}

/** Hands jobs to Inngest (Cloud or Dev Server); retries, memoization and cancellation are Inngest's. */
export function createInngestRunner(settings: InngestSettings): JobRunner {
  return {
    kind: "inngest",
    async dispatch(job) {
      try {
        // The event id makes a duplicated send harmless: Inngest drops repeats of an id.
        await inngest.send(articleSubmitted.create(job, { id: job.runKey }));
      } catch (cause) {
        throw new AppError("internal", "Could not hand the job to Inngest", { cause });
      }
    },
    async cancel(jobId) {
      await inngest.send(articleCancelled.create({ jobId }));
    },
    ping: () => probeInngest(settings),
  };
}
