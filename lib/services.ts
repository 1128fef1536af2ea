import { createSummarizer, createTranscriber } from "./ai";
import { type Config, getConfig } from "./env";
import { createInlineRunner } from "./jobs/inline-runner";
import { createInngestRunner } from "./jobs/inngest-runner";
import type { JobRunner } from "./jobs/runner";
import { createLogger, log } from "./log";
import { createSafeFetch } from "./net/safe-fetch";
import type { SafeFetch } from "./net/types";
import type { PipelineDeps, Summarizer, Transcriber } from "./pipeline/types";
import { createProgressKv } from "./progress";
import type { ProgressKv } from "./progress/kv";
import { createStore } from "./store";
import type { Store } from "./store/store";

/** The process's adapters, chosen from the configuration once. */
export interface Services {
  config: Config;
  store: Store;
  kv: ProgressKv;
  fetch: SafeFetch;
  summarizer: Summarizer;
  transcriber?: Transcriber;
  runner: JobRunner;
  now: () => number;
}

export function pipelineDeps(services: Omit<Services, "runner">, jobId?: string): PipelineDeps {
  return {
    fetch: services.fetch,
    store: services.store,
    kv: services.kv,
    summarizer: services.summarizer,
    transcriber: services.transcriber,
    now: services.now,
    logger: createLogger(jobId),
  };
}

export function chooseRunner(config: Config): "inngest" | "inline" {
  if (config.runner) return config.runner;
  return config.inngest.eventKey || config.inngest.dev ? "inngest" : "inline";
}

export async function buildServices(config: Config): Promise<Services> {
  const services: Omit<Services, "runner"> = {
    config,
    store: await createStore(config.store),
    kv: createProgressKv(config.kv),
    fetch: createSafeFetch({ allowlist: config.fetchAllowlist }),
    summarizer: createSummarizer(config.llm),
    transcriber: createTranscriber(config.llm),
    now: Date.now,
  };
  const runnerKind = chooseRunner(config);
  const runner =
    runnerKind === "inngest"
      ? createInngestRunner()
      : createInlineRunner(async (jobId) => pipelineDeps(services, jobId));
  for (const warning of config.warnings) log.warn(warning);
  log.info(
    `adapters: store=${services.store.kind} kv=${services.kv.kind} runner=${runner.kind} llm=${services.summarizer.model}`,
  );
  if (runner.kind === "inline" && !config.runner) {
    log.info(
      "No Inngest event key or Dev Server configured: jobs run inline in this process (PIPELINE_RUNNER=inline).",
    );
  }
  return { ...services, runner };
}

const globalServices = globalThis as typeof globalThis & { __articleSummarizerServices?: Promise<Services> };

/** One set of adapters per process (kept on globalThis so Next.js dev reloads do not open PGlite twice). */
export function getServices(): Promise<Services> {
  globalServices.__articleSummarizerServices ??= buildServices(getConfig()).catch((error: unknown) => {
    globalServices.__articleSummarizerServices = undefined;
    throw error;
  });
  return globalServices.__articleSummarizerServices;
}
