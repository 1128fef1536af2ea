import { z } from "zod";
import type { Encoding } from "./tokens";

/**
 * What the app knows about a model: its context window and output limit (for the token budget), which tokenizer
 * counts for it, and its price (for cost in provenance). Models not listed get a conservative default and a null
 * price — never a guess. `MODEL_TABLE` (JSON, see .env.example) adds or overrides entries.
 */
export const modelInfoSchema = z.object({
  contextTokens: z.number().int().positive().optional(),
  maxOutputTokens: z.number().int().positive().optional(),
  encoding: z.enum(["o200k_base", "cl100k_base"]).optional(),
  /** USD per million input / output tokens. */
  inputUsdPerMTok: z.number().nonnegative().optional(),
  outputUsdPerMTok: z.number().nonnegative().optional(),
  /** Speech-to-text: USD per minute of audio. */
  usdPerAudioMinute: z.number().nonnegative().optional(),
});
export type ModelInfo = z.infer<typeof modelInfoSchema>;
export const modelTableSchema = z.record(z.string().min(1), modelInfoSchema);
export type ModelTable = Record<string, ModelInfo>;

export interface ResolvedModel {
  name: string;
  known: boolean;
  contextTokens: number;
  maxOutputTokens: number;
  encoding: Encoding;
  inputUsdPerMTok: number | null;
  outputUsdPerMTok: number | null;
  usdPerAudioMinute: number | null;
}

/** Unknown models (a local Llama behind Ollama, a gateway's alias): small enough for any server people run. */
export const DEFAULT_MODEL: Omit<ResolvedModel, "name" | "known"> = {
  contextTokens: 8_192,
  maxOutputTokens: 2_048,
  encoding: "o200k_base",
  inputUsdPerMTok: null,
  outputUsdPerMTok: null,
  usdPerAudioMinute: null,
};

const o200k = "o200k_base" as const;
/** Published limits and list prices (November 2026). */
export const BUILTIN_MODELS: ModelTable = {
  "gpt-4o-mini": {
    contextTokens: 128_000,
    maxOutputTokens: 16_384,
    encoding: o200k,
    inputUsdPerMTok: 0.15,
    outputUsdPerMTok: 0.6,
  },
  "gpt-4o": {
    contextTokens: 128_000,
    maxOutputTokens: 16_384,
    encoding: o200k,
    inputUsdPerMTok: 2.5,
    outputUsdPerMTok: 10,
  },
  "gpt-4.1": {
    contextTokens: 1_047_576,
    maxOutputTokens: 32_768,
    encoding: o200k,
    inputUsdPerMTok: 2,
    outputUsdPerMTok: 8,
  },
  "gpt-4.1-mini": {
    contextTokens: 1_047_576,
    maxOutputTokens: 32_768,
    encoding: o200k,
    inputUsdPerMTok: 0.4,
    outputUsdPerMTok: 1.6,
  },
  "gpt-4.1-nano": {
    contextTokens: 1_047_576,
    maxOutputTokens: 32_768,
    encoding: o200k,
    inputUsdPerMTok: 0.1,
    outputUsdPerMTok: 0.4,
  },
  "gpt-5": {
    contextTokens: 400_000,
    maxOutputTokens: 128_000,
    encoding: o200k,
    inputUsdPerMTok: 1.25,
    outputUsdPerMTok: 10,
  },
  "gpt-5-mini": {
    contextTokens: 400_000,
    maxOutputTokens: 128_000,
    encoding: o200k,
    inputUsdPerMTok: 0.25,
    outputUsdPerMTok: 2,
  },
  "gpt-5-nano": {
    contextTokens: 400_000,
    maxOutputTokens: 128_000,
    encoding: o200k,
    inputUsdPerMTok: 0.05,
    outputUsdPerMTok: 0.4,
  },
  "gpt-4-turbo": {
    contextTokens: 128_000,
    maxOutputTokens: 4_096,
    encoding: "cl100k_base",
    inputUsdPerMTok: 10,
    outputUsdPerMTok: 30,
  },
  "gpt-3.5-turbo": {
    contextTokens: 16_385,
    maxOutputTokens: 4_096,
    encoding: "cl100k_base",
    inputUsdPerMTok: 0.5,
    outputUsdPerMTok: 1.5,
  },
  "whisper-1": { usdPerAudioMinute: 0.006 },
  "gpt-4o-transcribe": { usdPerAudioMinute: 0.006 },
  "gpt-4o-mini-transcribe": { usdPerAudioMinute: 0.003 },
};

/** The entry for a model: exact name, else a dated snapshot of a listed one ("gpt-4o-2024-08-06"). */
export function resolveModel(name: string, table: ModelTable = {}): ResolvedModel {
  const merged = { ...BUILTIN_MODELS, ...table };
  const key =
    name in merged
      ? name
      : Object.keys(merged)
          .sort((a, b) => b.length - a.length)
          .find((listed) => name.startsWith(`${listed}-20`));
  // MODEL_TABLE may override one field of a listed model (its context on a given server) and keep the rest.
  const info = key ? { ...BUILTIN_MODELS[key], ...table[key] } : undefined;
  return {
    name,
    known: Boolean(info),
    contextTokens: info?.contextTokens ?? DEFAULT_MODEL.contextTokens,
    maxOutputTokens: info?.maxOutputTokens ?? DEFAULT_MODEL.maxOutputTokens,
    encoding: info?.encoding ?? DEFAULT_MODEL.encoding,
    inputUsdPerMTok: info?.inputUsdPerMTok ?? null,
    outputUsdPerMTok: info?.outputUsdPerMTok ?? null,
    usdPerAudioMinute: info?.usdPerAudioMinute ?? null,
  };
}

const round6 = (usd: number) => Number(usd.toFixed(6));

/** Cost of a chat completion's tokens; null when the model's price is unknown. */
export function chatCostUsd(model: ResolvedModel, inputTokens: number, outputTokens: number): number | null {
  if (model.inputUsdPerMTok === null || model.outputUsdPerMTok === null) return null;
  return round6((inputTokens * model.inputUsdPerMTok + outputTokens * model.outputUsdPerMTok) / 1_000_000);
}

/** Cost of transcribing `seconds` of audio; null when the model's price is unknown. */
export function sttCostUsd(model: ResolvedModel, seconds: number): number | null {
  if (model.usdPerAudioMinute === null) return null;
  return round6((seconds / 60) * model.usdPerAudioMinute);
}

/** Sum of costs where any unknown part makes the whole unknown (a total that silently omits a part would mislead). */
export function sumCosts(...costs: (number | null | undefined)[]): number | null {
  let total = 0;
  for (const cost of costs) {
    if (cost === null) return null;
    if (cost !== undefined) total += cost;
  }
  return round6(total);
}
