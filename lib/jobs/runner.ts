import type { JobKind } from "../domain";

/** How a job gets executed: Inngest (durable, production) or inline (one process; CLI, tests, no-services dev). */
export interface JobDispatch {
  jobId: string;
  url: string;
  force: boolean;
  /** Unique per dispatch: the first run and each retry. */
  runKey: string;
  /** "summary": a new summary version of `articleId` (summarize → save). Absent: the article pipeline. */
  kind?: JobKind;
  articleId?: string;
  /** The summary language and model asked for; absent: the page's language (or detected), the configured model. */
  lang?: string | null;
  model?: string | null;
}

export interface JobRunner {
  readonly kind: "inngest" | "inline";
  dispatch(job: JobDispatch): Promise<void>;
  /** Stops the job as soon as its current step ends. */
  cancel(jobId: string): Promise<void>;
  /**
   * Continues a job whose runner stopped (its lease expired), in this process, from its saved steps. Resolves
   * false when the job is not abandoned (someone holds it). Absent where the platform resumes work itself (Inngest).
   */
  resume?(job: JobDispatch): Promise<boolean>;
  /** Whether the runner can take work now. Both answer true today: Inngest's event API is only checked by a send. */
  ping(): Promise<boolean>;
}
