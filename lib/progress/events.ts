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

/** What a writer supplies; `seq` is assigned by the KV append. */
export const progressInputSchema = z.object({
  jobId: z.string().min(1),
  type: eventTypeSchema,
  at: z.number().int(),
  step: stepNameSchema.optional(),
  attempt: z.number().int().optional(),
  progress: z.object({ done: z.number(), total: z.number(), unit: z.string() }).optional(),
  message: z.string().optional(),
  reason: failureReasonSchema.optional(),
  data: z.record(z.string(), z.unknown()).optional(),
});
export type ProgressInput = z.infer<typeof progressInputSchema>;

export const progressEventSchema = progressInputSchema.extend({ seq: z.number().int().positive() });
export type ProgressEvent = z.infer<typeof progressEventSchema>;

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
