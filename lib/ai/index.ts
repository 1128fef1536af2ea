import type { LlmConfig } from "../env";
import type { Summarizer, Transcriber } from "../ports";
import { createExtractiveSummarizer } from "./extractive-summarizer";
import { createOpenAIClient } from "./openai";
import { createOpenAISummarizer } from "./openai-summarizer";
import { createOpenAITranscriber } from "./openai-transcriber";

/**
 * With a key, the configured model (or `model`, for a summary version asked for with another one); without a key,
 * the offline extractive summarizer so the app still works.
 */
export function createSummarizer(config: LlmConfig, model?: string): Summarizer {
  if (config.kind === "offline") return createExtractiveSummarizer();
  return createOpenAISummarizer(createOpenAIClient(config), {
    model: model ?? config.summaryModel,
    baseURL: config.baseURL,
    models: config.models,
  });
}

/** Speech-to-text needs a key (or a compatible server); without one, media falls back to publisher transcripts. */
export function createTranscriber(config: LlmConfig): Transcriber | undefined {
  if (config.kind === "offline") return undefined;
  const client = createOpenAIClient({ apiKey: config.apiKey, baseURL: config.transcribeBaseURL ?? config.baseURL });
  return createOpenAITranscriber(client, config.transcribeModel, { models: config.models });
}
