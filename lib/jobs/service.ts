import { randomUUID } from "node:crypto";
import { primaryLanguage } from "../ai/language";
import type { Job } from "../domain";
import { AppError } from "../errors";
import { canonicalizeUrl } from "../net/canonical-url";
import { assertFetchableUrl } from "../net/safe-fetch";
import {
  type JobStatus,
  type ProgressEvent,
  type ProgressSnapshot,
  STEP_NAMES,
  type StepName,
} from "../progress/events";
import { createPublisher } from "../progress/publisher";
import type { Services } from "../services";
import { inngestRunUrl } from "./inngest-runner";
import { markJobFailed } from "./lifecycle";
import type { JobDispatch } from "./runner";
import { refused, transition } from "./transitions";

export interface SubmitResult {
  jobId: string;
  /** false when an active job for the same URL was returned instead of a new one. */
  created: boolean;
  /** Set when the URL already has a completed article and `force` was not asked for. */
  articleId?: string;
}

export type JobServices = Pick<Services, "store" | "kv" | "runner" | "now" | "config" | "logger">;

/**
 * Validates and dedupes a submission, records the job, and hands it to the runner.
 * Bad and blocked URLs are refused here, before any job exists.
 */
export async function submitJob(
  input: { url: string; force?: boolean; lang?: string | null },
  services: JobServices,
  options: { resolve?: boolean } = {},
): Promise<SubmitResult> {
  const url = await assertFetchableUrl(input.url, {
    allowlist: services.config.fetchAllowlist,
    resolve: options.resolve ?? true,
    explainAllowlist: !services.config.production,
  });
  const canonicalUrl = canonicalizeUrl(url);
  const force = input.force ?? false;

  if (!force) {
    const existing = await services.store.getArticleByCanonicalUrl(canonicalUrl);
    // Asked for in another language than its summary's: a new summary version, not the same article again.
    if (existing && input.lang && primaryLanguage(input.lang) !== (existing.provenance.lang ?? null))
      return requestSummary(existing.id, { lang: input.lang }, services);
    if (existing) return { ...(await recordDuplicate(url, canonicalUrl, existing.id, services)), created: false };
  }

  const lang = input.lang ?? null;
  let { job, created } = await services.store.createJob({ id: newJobId(), url, canonicalUrl, force, lang });
  // An active job for the URL whose runner stopped is resumed, or failed so that this submission starts afresh.
  if (!created && !(await reclaimIfAbandoned(job, services))) {
    ({ job, created } = await services.store.createJob({ id: newJobId(), url, canonicalUrl, force, lang }));
  }
  if (!created) return { jobId: job.id, created: false };

  await createPublisher(services, job.id).publish({
    type: "job.queued",
    data: { url, runner: services.runner.kind },
  });
  await dispatch(job, services, job.id);
  return { jobId: job.id, created: true };
}

/** A finished article for this URL exists: the job completes at once and points at it. */
async function recordDuplicate(url: string, canonicalUrl: string, articleId: string, services: JobServices) {
  const { job } = await services.store.createJob({ id: newJobId(), url, canonicalUrl, force: false });
  // Nothing was paid for: the job's cost is zero, not unknown.
  await transition(services.store, "deduplicate", job.id, { patch: { articleId, costUsd: 0 } });
  const publisher = createPublisher(services, job.id);
  await publisher.publish({ type: "job.queued", data: { url } });
  await publisher.publish({ type: "job.completed", data: { articleId, deduplicated: true, costUsd: 0 } });
  return { jobId: job.id, articleId };
}

export const dispatchOf = (job: Job, runKey: string) => ({
  jobId: job.id,
  url: job.url,
  force: job.force,
  runKey,
  kind: job.kind,
  ...(job.kind === "summary" && job.articleId ? { articleId: job.articleId } : {}),
  lang: job.lang ?? null,
  model: job.model ?? null,
});

/** The run key a job's latest dispatch used: the first run's, or the latest retry's. */
export const runKeyOf = (job: Pick<Job, "id" | "attempts">) =>
  job.attempts > 0 ? `${job.id}:retry-${job.attempts}` : job.id;

/**
 * The active job a submission found for its URL: when the inline runner can, it is resumed from its saved steps if
 * its runner stopped (a live one is left alone). Resolves whether the job is still active afterwards; under Inngest
 * the sweep (lib/jobs/sweep.ts) is what fails a job whose run is gone.
 */
export async function reclaimIfAbandoned(job: Job, services: JobServices): Promise<boolean> {
  if (job.status !== "queued" && job.status !== "running") return false;
  if (services.runner.resume) await services.runner.resume(dispatchOf(job, runKeyOf(job)));
  return true;
}

/**
 * Hands the job to the runner. When the runner does not take it, the job ends with a named reason and its terminal
 * event (the card stops saying "queued"), and the caller hears 503 `dispatch_failed`.
 */
async function dispatch(job: Job, services: JobServices, runKey: string): Promise<void> {
  const error = await dispatchOrFail(dispatchOf(job, runKey), services);
  if (error) throw error;
}

/**
 * Hands a job to the runner; a job the runner would not take is failed (`dispatch_failed`, with its terminal event),
 * never left queued with nobody to run it. Resolves the error then, for a caller that must say so.
 */
export async function dispatchOrFail(job: JobDispatch, services: JobServices): Promise<AppError | undefined> {
  try {
    await services.runner.dispatch(job);
    return undefined;
  } catch (cause) {
    const error = new AppError("dispatch_failed", `Could not hand the job to the ${services.runner.kind} runner`, {
      cause,
    });
    const logger = services.logger.child({ jobId: job.jobId });
    await markJobFailed(job.jobId, error, { ...services, logger }, { as: "abandon", token: null });
    return error;
  }
}

/**
 * A new summary version of an article in the library, as its own job (progress, retry, cancel like any job): the
 * stored text and transcript summarized again, with another model or language if asked for. Earlier versions stay.
 */
export async function requestSummary(
  articleId: string,
  input: { model?: string | null; lang?: string | null; force?: boolean },
  services: JobServices,
): Promise<SubmitResult> {
  const article = await services.store.getArticle(articleId);
  if (!article) throw new AppError("not_found", `No article ${articleId}`);
  if (input.model && services.config.llm.kind === "offline") {
    throw new AppError("invalid_body", "No LLM is configured (OPENAI_API_KEY): only the extractive summary exists");
  }
  const { job } = await services.store.createJob({
    id: newJobId(),
    url: article.url,
    canonicalUrl: article.canonicalUrl,
    force: input.force ?? false,
    kind: "summary",
    articleId,
    lang: input.lang ?? null,
    model: input.model ?? null,
  });
  await createPublisher(services, job.id).publish({
    type: "job.queued",
    data: { url: article.url, articleId, kind: "summary", model: input.model ?? null, lang: input.lang ?? null },
  });
  await dispatch(job, services, job.id);
  return { jobId: job.id, created: true, articleId };
}

/**
 * Runs a failed or cancelled job again, as a new run. One conditional transition: of concurrent retries exactly one
 * wins, the others hear 409 with the job's state. Transcripts and summaries already paid for are reused from the store.
 */
export async function retryJob(jobId: string, services: JobServices): Promise<Job> {
  const result = await transition(services.store, "retry", jobId, {
    // A dismissed job that is retried is back in the inbox should it fail again (`retry`).
    patch: { reason: null, message: null, token: "clear", retry: true },
  });
  if (!result.ok) throw refused("retry", result.job, result.conflict);
  const job = result.job;
  await createPublisher(services, jobId).publish({
    type: "job.queued",
    data: { url: job.url, retry: job.attempts },
  });
  await dispatch(job, services, runKeyOf(job));
  return job;
}

/**
 * Dismisses a failed or cancelled job from the failure inbox, or restores it (`dismissed: false`). The job stays
 * as it is (failed, retriable); only the inbox's shared triage state changes.
 */
export async function dismissJob(jobId: string, dismissed: boolean, services: Pick<Services, "store">): Promise<Job> {
  const result = await transition(services.store, "dismiss", jobId, { patch: { dismissed } });
  if (!result.ok) throw refused("dismiss", result.job);
  return result.job;
}

/**
 * Cancels a queued or running job: the transition takes the job from its run at once (its later writes are refused),
 * then the runner is told to stop and the log gets the terminal event. A finished job answers 409.
 */
export async function cancelJob(jobId: string, services: JobServices): Promise<Job> {
  const message = "Cancelled by the user";
  const result = await transition(services.store, "cancel", jobId, {
    patch: { reason: "cancelled", message, token: "clear" },
  });
  if (!result.ok) throw refused("cancel", result.job);
  await services.runner.cancel(jobId);
  await createPublisher(services, jobId).publish({ type: "job.cancelled", reason: "cancelled", message });
  return result.job;
}

export interface JobSnapshot {
  jobId: string;
  url: string;
  status: JobStatus;
  step?: string;
  reason?: string;
  message?: string;
  articleId?: string;
  events: number;
  createdAt: string;
  updatedAt: string;
  steps: Job["steps"];
  /** The Inngest run that last worked on the job, and where to see it (absent for inline runs). */
  runId?: string;
  runUrl?: string;
  /** What the job's LLM/STT calls cost, when the price is known. */
  costUsd: number | null;
  timeline: JobTimeline;
  /** Present when asked for with `?after=seq`: the polling fallback for clients without a stream. */
  eventsAfter?: ProgressEvent[];
}

export async function getJobSnapshot(
  jobId: string,
  services: Pick<Services, "store" | "kv" | "config">,
  after?: number,
): Promise<JobSnapshot> {
  const job = await requireJob(jobId, services);
  const [live, events, eventsAfter] = await Promise.all([
    services.kv.getSnapshot(jobId).catch((): ProgressSnapshot | null => null),
    services.kv.count(jobId).catch(() => 0),
    after === undefined ? undefined : services.kv.readAfter(jobId, after, 500),
  ]);
  // The store is the record; the KV snapshot is fresher while a job runs.
  const status = isTerminalStatus(job.status) ? job.status : (live?.status ?? job.status);
  return {
    jobId: job.id,
    url: job.url,
    status,
    step: live?.step ?? job.step,
    reason: job.reason ?? live?.reason,
    message: job.message,
    articleId: job.articleId ?? live?.articleId,
    events,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    steps: job.steps,
    ...(job.runId ? { runId: job.runId, runUrl: inngestRunUrl(job.runId, services.config.inngest) } : {}),
    costUsd: job.costUsd ?? null,
    timeline: jobTimeline(job),
    ...(eventsAfter ? { eventsAfter } : {}),
  };
}

/** Per stage, in pipeline order: when it ran, how long, how many attempts; and the job's total and cost. */
export interface JobTimeline {
  stages: { step: StepName; startedAt: string; finishedAt?: string; ms?: number; attempts: number }[];
  totalMs?: number;
  costUsd: number | null;
}

export function jobTimeline(job: Job): JobTimeline {
  const stages: JobTimeline["stages"] = [];
  for (const step of STEP_NAMES) {
    const timing = job.steps[step];
    if (timing?.startedAt === undefined) continue;
    const finished = timing.finishedAt;
    stages.push({
      step,
      startedAt: new Date(timing.startedAt).toISOString(),
      ...(finished === undefined
        ? {}
        : { finishedAt: new Date(finished).toISOString(), ms: finished - timing.startedAt }),
      attempts: timing.attempts ?? 1,
    });
  }
  const first = stages[0];
  const last = stages.at(-1);
  const totalMs = first && last?.finishedAt ? Date.parse(last.finishedAt) - Date.parse(first.startedAt) : undefined;
  return { stages, ...(totalMs === undefined ? {} : { totalMs }), costUsd: job.costUsd ?? null };
}

function isTerminalStatus(status: JobStatus): boolean {
  return status === "completed" || status === "failed" || status === "cancelled";
}

async function requireJob(jobId: string, services: Pick<Services, "store">): Promise<Job> {
  const job = await services.store.getJob(jobId);
  if (!job) throw new AppError("not_found", `No job ${jobId}`);
  return job;
}

function newJobId(): string {
  return `job_${randomUUID().replaceAll("-", "").slice(0, 20)}`;
}
