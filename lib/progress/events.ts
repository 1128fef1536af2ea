import { z } from "zod";
import { failureReasonSchema } from "../errors";

export const STEP_NAMES = ["fetch", "detect", "extract", "transcribe", "summarize", "save"] as const;
export const stepNameSchema = z.enum(STEP_NAMES);
export type StepName = z.infer<typeof stepNameSchema>;

export const EVENT_TYPES = [
  "job.queued",
  "step.started",
  "step.progress",
  "step.completed",
  "step.failed",
  "job.completed",
  "job.failed",
  "job.cancelled",
] as const;
export const eventTypeSchema = z.enum(EVENT_TYPES);
export type EventType = z.infer<typeof eventTypeSchema>;

export const TERMINAL_TYPES: ReadonlySet<EventType> = new Set(["job.completed", "job.failed", "job.cancelled"]);
export const isTerminal = (type: EventType): boolean => TERMINAL_TYPES.has(type);

/** What each event type carries in `data`: the stage → UI contract, read by lib/ui/job-view.ts and the CLI. */
export const queuedDataSchema = z.object({
  url: z.string(),
  runner: z.enum(["inngest", "inline"]).optional(),
  /** The job's retry count when a retry from the app started this run. */
  retry: z.number().int().positive().optional(),
  /** A summary job (a new summary version of `articleId`), with the model and language asked for. */
  kind: z.enum(["article", "summary"]).optional(),
  articleId: z.string().optional(),
  model: z.string().nullable().optional(),
  lang: z.string().nullable().optional(),
  /**
   * A run nobody in the app started announces itself: a dashboard Rerun/Replay (`rerun`, with its Inngest `runId`)
   * or a runner taking over a job whose runner stopped (`takeover`).
   */
  runId: z.string().optional(),
  rerun: z.boolean().optional(),
  takeover: z.boolean().optional(),
});
export const startedDataSchema = z.object({
  /** The Inngest run executing the step, for a link to its dashboard. */
  runId: z.string().optional(),
});
export const stepProgressDataSchema = z.object({
  minutesTranscribed: z.number().optional(),
  /** The summary part (1-based) that just finished, when a long summary runs in parts. */
  part: z.number().int().positive().optional(),
  /** The transcription chunk (1-based) whose completion this event reports; chunks finish out of order. */
  chunk: z.number().int().positive().optional(),
  /** That chunk came from the store (an earlier run paid for it). */
  reused: z.boolean().optional(),
  /**
   * A step that paid for something (a window, a part) recorded it: what the job has spent so far, over all its runs
   * (USD; null when a price is unknown). Steps finish out of order, so the largest seen is the latest.
   */
  spentUsd: z.number().nullable().optional(),
});
/** A stage's summary: explicit per stage (process-article.ts), and only what a reader of the log shows. */
export const stepCompletedDataSchema = z.object({
  /** The output came from an earlier run or a cache: nothing was paid for again. */
  reused: z.boolean().optional(),
  /** The stage had nothing to do (a text page has nothing to transcribe): the UI leaves it out. */
  skipped: z.boolean().optional(),
  /** The article's title, once the extract stage knows it. */
  title: z.string().optional(),
  /** The summarize stage: which model, which path (single, map-reduce, extractive), and what this run paid. */
  model: z.string().optional(),
  path: z.enum(["single", "map-reduce", "extractive"]).optional(),
  costUsd: z.number().nullable().optional(),
  /** As on `step.progress`: the job's spend so far, after this step recorded what it paid. */
  spentUsd: z.number().nullable().optional(),
});
export const stepFailedDataSchema = z.object({ retriable: z.boolean() });
export const jobCompletedDataSchema = z.object({
  articleId: z.string(),
  title: z.string().optional(),
  /** USD the job has spent, over all its runs (the job row's total); null when a price is unknown. */
  costUsd: z.number().nullable().optional(),
  /** The URL already had an article: no stage ran. */
  deduplicated: z.boolean().optional(),
  /** A summary job: the summary version it made current. */
  summaryId: z.string().nullable().optional(),
});

const common = {
  jobId: z.string().min(1),
  at: z.number().int(),
  step: stepNameSchema.optional(),
  attempt: z.number().int().optional(),
  progress: z.object({ done: z.number(), total: z.number(), unit: z.string() }).optional(),
  message: z.string().optional(),
  reason: failureReasonSchema.optional(),
};

/** One variant per event type, each with its own `data`; `extra` adds fields to all (the event's `seq`). */
function variants<Extra extends z.ZodRawShape>(extra: Extra) {
  const variant = <T extends EventType, D extends z.ZodType>(type: T, data: D) =>
    z.object({ ...common, ...extra, type: z.literal(type), data: data.optional() });
  return z.discriminatedUnion("type", [
    variant("job.queued", queuedDataSchema),
    variant("step.started", startedDataSchema),
    variant("step.progress", stepProgressDataSchema),
    variant("step.completed", stepCompletedDataSchema),
    variant("step.failed", stepFailedDataSchema),
    variant("job.completed", jobCompletedDataSchema),
    variant("job.failed", z.never()),
    variant("job.cancelled", z.never()),
  ]);
}

/** What a writer supplies; `seq` is assigned by the KV append. */
export const progressInputSchema = variants({});
export type ProgressInput = z.infer<typeof progressInputSchema>;

export const progressEventSchema = variants({ seq: z.number().int().positive() });
export type ProgressEvent = z.infer<typeof progressEventSchema>;

/** The `data` of one event type. */
export type EventData<T extends EventType> = NonNullable<Extract<ProgressEvent, { type: T }>["data"]>;

export const JOB_STATUSES = ["queued", "running", "completed", "failed", "cancelled"] as const;
export const jobStatusSchema = z.enum(JOB_STATUSES);
export type JobStatus = z.infer<typeof jobStatusSchema>;

/** Small per-job state kept beside the log so a snapshot needs one read. */
export const progressSnapshotSchema = z.object({
  jobId: z.string(),
  status: jobStatusSchema,
  step: stepNameSchema.optional(),
  reason: failureReasonSchema.optional(),
  articleId: z.string().optional(),
  updatedAt: z.number(),
});
export type ProgressSnapshot = z.infer<typeof progressSnapshotSchema>;
