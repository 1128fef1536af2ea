import type { Services } from "../services";
import type { ChunkingConfig } from "./chunk-plan";

/** Everything a stage may touch, injected so tests pass fakes: a slice of the process's services. */
export type PipelineDeps = Pick<
  Services,
  "fetch" | "store" | "kv" | "summarizer" | "summarizerFor" | "models" | "transcriber" | "reader" | "now" | "logger"
> & {
  /** How long media is cut for speech-to-text; the embedded defaults when absent. */
  chunking?: ChunkingConfig;
};

export interface PipelineInput {
  jobId: string;
  url: string;
  /** Make a new summary even when one with the same cache key exists. */
  force?: boolean;
  /** The summary language the admin asked for (ISO 639-1); absent: the page's, or detected. */
  lang?: string | null;
}
