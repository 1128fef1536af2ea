import { z } from "zod";
import type { SttCapabilities } from "../ports";
import type { Encoding } from "./tokens";

/**
 * Speech-to-text capabilities, per model (the `stt` of a resolved model): what `/audio/transcriptions` answers and accepts.
 * The built-in rows follow OpenAI's published OpenAPI spec (openai/openai-openapi, `CreateTranscriptionRequest` and
 * `AudioResponseFormat`): gpt-4o(-mini)-transcribe answer `json` only, whisper-1 `verbose_json` with segments,
 * gpt-4o-transcribe-diarize `diarized_json` (speakers, `chunking_strategy` required above 30 s, no `prompt`).
 */
export const sttInfoSchema = z.object({
  formats: z
    .array(z.enum(["verbose_json", "diarized_json", "json", "text"]))
    .min(1)
    .optional(),
  timestamps: z.boolean().optional(),
  diarization: z.boolean().optional(),
  prompt: z.boolean().optional(),
  maxSeconds: z.number().positive().nullable().optional(),
  maxUploadBytes: z.number().int().positive().optional(),
});

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
  /** Speech-to-text: USD per minute of audio (the price basis when the response bills by duration, or says nothing). */
  usdPerAudioMinute: z.number().nonnegative().optional(),
  /** Speech-to-text billed by tokens: USD per million audio input tokens (text tokens use inputUsdPerMTok). */
  audioInputUsdPerMTok: z.number().nonnegative().optional(),
  stt: sttInfoSchema.optional(),
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
  audioInputUsdPerMTok: number | null;
  stt: SttCapabilities;
}

/** OpenAI's upload limit for one transcription request. */
export const STT_MAX_UPLOAD_BYTES = 25 * 1024 * 1024;

/**
 * A speech-to-text model not in the table (faster-whisper/speaches, whisper.cpp, vLLM, Groq, LocalAI): the format is
 * probed verbose_json → json → text and remembered per server; 1,200 s per request is what such servers take. Until
 * the probe has answered, the media's first window is planned alone by the timestamp-less rule
 * (lib/pipeline/transcribe-chunks.ts `planRest`).
 */
export const UNKNOWN_STT: SttCapabilities = {
  formats: ["verbose_json", "json", "text"],
  timestamps: true,
  diarization: false,
  prompt: true,
  maxSeconds: 1200,
  maxUploadBytes: STT_MAX_UPLOAD_BYTES,
  probe: true,
};

/** Unknown models (a local Llama behind Ollama, a gateway's alias): small enough for any server people run. */
export const DEFAULT_MODEL: Omit<ResolvedModel, "name" | "known"> = {
  contextTokens: 8_192,
  maxOutputTokens: 2_048,
  encoding: "o200k_base",
  inputUsdPerMTok: null,
  outputUsdPerMTok: null,
  usdPerAudioMinute: null,
  audioInputUsdPerMTok: null,
  stt: UNKNOWN_STT,
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
  "whisper-1": {
    usdPerAudioMinute: 0.006,
    stt: {
      formats: ["verbose_json", "json", "text"],
      timestamps: true,
      diarization: false,
      prompt: true,
      maxSeconds: null,
    },
  },
  // gpt-4o transcribe models bill by tokens; the per-minute figure is OpenAI's estimate, used when no usage comes back.
  "gpt-4o-transcribe": {
    usdPerAudioMinute: 0.006,
    audioInputUsdPerMTok: 6,
    inputUsdPerMTok: 2.5,
    outputUsdPerMTok: 10,
    stt: { formats: ["json", "text"], timestamps: false, diarization: false, prompt: true, maxSeconds: 1400 },
  },
  "gpt-4o-mini-transcribe": {
    usdPerAudioMinute: 0.003,
    audioInputUsdPerMTok: 3,
    inputUsdPerMTok: 1.25,
    outputUsdPerMTok: 5,
    stt: { formats: ["json", "text"], timestamps: false, diarization: false, prompt: true, maxSeconds: 1400 },
  },
  "gpt-4o-transcribe-diarize": {
    usdPerAudioMinute: 0.006,
    audioInputUsdPerMTok: 6,
    inputUsdPerMTok: 2.5,
    outputUsdPerMTok: 10,
    stt: {
      formats: ["diarized_json", "json", "text"],
      timestamps: true,
      diarization: true,
      prompt: false,
      maxSeconds: 1400,
    },
  },
  "gpt-transcribe": {
    usdPerAudioMinute: 0.006,
    stt: { formats: ["json", "text"], timestamps: false, diarization: false, prompt: true, maxSeconds: 1400 },
  },
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
  const stt = key ? { ...BUILTIN_MODELS[key]?.stt, ...table[key]?.stt } : undefined;
  return {
    name,
    known: Boolean(info),
    contextTokens: info?.contextTokens ?? DEFAULT_MODEL.contextTokens,
    maxOutputTokens: info?.maxOutputTokens ?? DEFAULT_MODEL.maxOutputTokens,
    encoding: info?.encoding ?? DEFAULT_MODEL.encoding,
    inputUsdPerMTok: info?.inputUsdPerMTok ?? null,
    outputUsdPerMTok: info?.outputUsdPerMTok ?? null,
    usdPerAudioMinute: info?.usdPerAudioMinute ?? null,
    audioInputUsdPerMTok: info?.audioInputUsdPerMTok ?? null,
    stt:
      stt?.formats === undefined
        ? UNKNOWN_STT
        : {
            formats: stt.formats,
            timestamps: stt.timestamps ?? (stt.formats[0] === "verbose_json" || stt.formats[0] === "diarized_json"),
            diarization: stt.diarization ?? stt.formats.includes("diarized_json"),
            prompt: stt.prompt ?? true,
            maxSeconds: stt.maxSeconds === undefined ? UNKNOWN_STT.maxSeconds : stt.maxSeconds,
            maxUploadBytes: stt.maxUploadBytes ?? STT_MAX_UPLOAD_BYTES,
            probe: false,
          },
  };
}

const round6 = (usd: number) => Number(usd.toFixed(6));

/** Cost of a chat completion's tokens; null when the model's price is unknown. */
export function chatCostUsd(model: ResolvedModel, inputTokens: number, outputTokens: number): number | null {
  if (model.inputUsdPerMTok === null || model.outputUsdPerMTok === null) return null;
  return round6((inputTokens * model.inputUsdPerMTok + outputTokens * model.outputUsdPerMTok) / 1_000_000);
}

/** What a transcription response billed (its `usage`), as the spec's two shapes say. */
export interface SttUsage {
  seconds?: number;
  tokens?: { audio: number; text: number; output: number };
}

/**
 * Cost of a transcription: by its billed tokens when the response counted them and the model's token prices are
 * known, else by `seconds` of audio at the per-minute price; null when the price is unknown.
 */
export function sttCostUsd(model: ResolvedModel, seconds: number, usage: SttUsage = {}): number | null {
  const { tokens } = usage;
  if (tokens && model.audioInputUsdPerMTok !== null && model.outputUsdPerMTok !== null) {
    const text = tokens.text * (model.inputUsdPerMTok ?? 0);
    return round6((tokens.audio * model.audioInputUsdPerMTok + text + tokens.output * model.outputUsdPerMTok) / 1e6);
  }
  if (model.usdPerAudioMinute === null) return null;
  return round6(((usage.seconds ?? seconds) / 60) * model.usdPerAudioMinute);
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
