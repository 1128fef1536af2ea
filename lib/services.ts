import { after } from "next/server";
import { createSummarizer, createTranscriber } from "./ai";
import type { ModelTable } from "./ai/models";
import { createRateLimiter, type RateLimiter } from "./auth/rate-limit";
import { type Config, readConfig } from "./env";
import { createReader } from "./extract/reader-pool";
import type { Reader } from "./extract/reader-protocol";
import { INLINE_TASKS, startInlineCron } from "./jobs/inline-cron";
import { createInlineRunner } from "./jobs/inline-runner";
import { createInngestRunner } from "./jobs/inngest-runner";
import type { JobRunner } from "./jobs/runner";
import { sweepStaleJobs } from "./jobs/sweep";
import { consoleSink, createLogger, type Logger } from "./log";
import { createSafeFetch } from "./net/safe-fetch";
import type { SafeFetch } from "./net/types";
import type { PipelineDeps } from "./pipeline/types";
import type { Summarizer, Transcriber } from "./ports";
import { createProgressKv } from "./progress";
import type { ProgressKv } from "./progress/kv";
import { onTerminalEvent } from "./progress/publisher";
import { createStore } from "./store";
import type { Store } from "./store/store";
import { jobWebhooks } from "./webhooks/job-events";

/**
 * The process's adapters, chosen from the configuration once. Every dependency bag in the app is a `Pick<>` of
 * this type (PipelineDeps, JobServices, LifecycleDeps), so a dependency has one name and one way in.
 */
export interface Services {
  config: Config;
  store: Store;
  kv: ProgressKv;
  fetch: SafeFetch;
  summarizer: Summarizer;
  /** A summarizer for another model (summary versions asked for with `model`); absent: only `summarizer`. */
  summarizerFor?: (model: string) => Summarizer;
  /** The model table (built-in + MODEL_TABLE): prices for speech-to-text cost. */
  models?: ModelTable;
  /** Absent when no speech-to-text is configured: media without a transcript then fails with a clear reason. */
  transcriber?: Transcriber;
  /** DOM work (Readability, media signals) in the extraction worker. */
  reader: Reader;
  runner: JobRunner;
  now: () => number;
  /** The process's logger; a job's is `logger.child({ jobId })`. */
  logger: Logger;
}

/** What one job's pipeline run receives: the services it may touch, with a logger bound to the job. */
export function pipelineDeps(
  services: Omit<Services, "runner" | "config"> & { config?: Pick<Config, "chunking"> },
  jobId: string,
): PipelineDeps {
  const { fetch, store, kv, summarizer, summarizerFor, models, transcriber, reader, now, logger, config } = services;
  return {
    fetch,
    store,
    kv,
    summarizer,
    summarizerFor,
    models,
    transcriber,
    reader,
    now,
    logger: logger.child({ jobId }),
    ...(config ? { chunking: config.chunking } : {}),
  };
}

export function chooseRunner(config: Config): "inngest" | "inline" {
  if (config.runner) return config.runner;
  return config.inngest.eventKey || config.inngest.dev ? "inngest" : "inline";
}

export function loggerFor(config: Config): Logger {
  return createLogger({ level: config.logLevel, sink: consoleSink });
}

export interface BuildOptions {
  /** Inline runs outlive the request that started them: the Next.js server passes `after()` here. */
  keepAlive?: (work: Promise<void>) => void;
}

export async function buildServices(
  config: Config,
  logger: Logger = loggerFor(config),
  options: BuildOptions = {},
): Promise<Services> {
  const services: Omit<Services, "runner"> = {
    config,
    store: await createStore(config.store),
    kv: createProgressKv(config.kv),
    fetch: createSafeFetch({ allowlist: config.fetchAllowlist }),
    summarizer: createSummarizer(config.llm),
    summarizerFor: (model) => createSummarizer(config.llm, model),
    models: config.llm.kind === "openai" ? config.llm.models : {},
    transcriber: createTranscriber(config.llm),
    reader: createReader({ logger }),
    now: Date.now,
    logger,
  };
  const runner =
    chooseRunner(config) === "inngest"
      ? createInngestRunner(config.inngest)
      : createInlineRunner(async (jobId) => pipelineDeps(services, jobId), {
          logger,
          leaseMs: config.inlineLeaseMs,
          keepAlive: options.keepAlive,
        });
  for (const warning of config.warnings) logger.warn(warning);
  logger.info("adapters", {
    store: services.store.kind,
    kv: services.kv.kind,
    runner: runner.kind,
    llm: services.summarizer.model,
  });
  if (runner.kind === "inline" && !config.runner) {
    logger.info(
      "No Inngest event key or Dev Server configured: jobs run inline in this process (PIPELINE_RUNNER=inline).",
    );
  }
  return { ...services, runner };
}

interface Holder {
  loginLimiter?: RateLimiter;
  config?: Config;
  logger?: Logger;
  services?: Promise<Services>;
}

// On globalThis so Next.js dev reloads (which re-evaluate modules) do not open PGlite or start workers twice.
const shared = globalThis as typeof globalThis & { __articleSummarizer?: Holder };
const holder = (): Holder => {
  shared.__articleSummarizer ??= {};
  return shared.__articleSummarizer;
};

/** The process configuration, parsed from the environment once. */
export function getConfig(): Config {
  const h = holder();
  h.config ??= readConfig();
  return h.config;
}

/** Login attempt counts: on the configured Redis/Upstash (shared by every instance), else in memory. */
export function getLoginLimiter(): RateLimiter {
  const h = holder();
  h.loginLimiter ??= createRateLimiter(getConfig().kv, { logger: getLogger() });
  return h.loginLimiter;
}

/** The process logger (level from LOG_LEVEL), for code that runs before or without the services. */
export function getLogger(): Logger {
  const h = holder();
  h.logger ??= loggerFor(getConfig());
  return h.logger;
}

/** The one composition root: every adapter of the process, built once. A failed start is forgotten so the next call retries. */
export function getServices(): Promise<Services> {
  const h = holder();
  h.services ??= buildServices(getConfig(), getLogger(), {
    // Inline runs are dispatched from a route handler, inside its request scope.
    keepAlive: (work) => after(work),
  })
    .then((services) => {
      // article.saved / job.failed webhooks from the jobs' terminal events, whichever runner ran them.
      onTerminalEvent(jobWebhooks(services));
      // A server start picks up inline jobs whose process stopped (a restarted `npm run dev`); the CLI builds its
      // own services and does not.
      if (services.runner.kind === "inline") {
        sweepStaleJobs(services).catch((error: unknown) =>
          services.logger.warn("could not resume abandoned jobs", { error }),
        );
        // Periodic work that Inngest's crons do otherwise (lib/jobs/inline-cron.ts), once per server process.
        startInlineCron(services, INLINE_TASKS);
      }
      return services;
    })
    .catch((error: unknown) => {
      h.services = undefined;
      throw error;
    });
  return h.services;
}

/** For tests: the next getConfig()/getServices() start from this configuration (or from the environment), and log to `logger`. */
export function resetServicesForTesting(config?: Config, logger?: Logger): void {
  shared.__articleSummarizer = config ? { config, logger } : {};
}
