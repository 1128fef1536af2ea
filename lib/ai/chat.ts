import OpenAI from "openai";
import type { ChatCompletionMessageParam } from "openai/resources/chat/completions";
import type { z } from "zod";
import { AppError } from "../errors";
import type { Spent } from "../ports";
import { fromOpenAIError, isQuotaError, retryAfterMs } from "./openai";
import { repairMessage, schemaInstruction } from "./prompts";

/** How the JSON answer is asked for, from best to most widely supported. */
export const OUTPUT_FORMATS = ["json_schema", "json_object", "text"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** The provider said the prompt does not fit the model's context: the caller summarizes in parts instead. */
export class ContextLengthError extends AppError {
  /** The limit the server named, when it did ("maximum context length is 8192 tokens"). */
  readonly contextTokens?: number;
  constructor(message: string, cause: unknown, contextTokens?: number) {
    super("summarization_failed", message, { cause, retriable: false });
    this.name = "ContextLengthError";
    this.contextTokens = contextTokens;
  }
}

/** The context size a server states in its refusal, if any. */
export function statedContextTokens(text: string): number | undefined {
  const match = /(?:context(?: length| window| size)?|maximum)[^\d]{0,40}?(\d{3,8})\s*tokens/i.exec(
    text.slice(0, 2_000),
  );
  const value = Number(match?.[1]);
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

export interface Usage {
  input: number;
  output: number;
  calls: number;
  /** Some answer carried no `usage` (optional in the spec): the token counts are a floor and the cost is unknown. */
  incomplete?: boolean;
}

export const newUsage = (): Usage => ({ input: 0, output: 0, calls: 0 });

/** The model's answer hit its output limit (`finish_reason: "length"`): retrying or repairing the same call cannot help. */
export const CUT_OFF_MESSAGE = "the model's answer was cut off at its output limit";

/**
 * The answer stopped at the model's output limit (`finish_reason: "length"`). The call was paid for: `spent` says
 * what it cost (set by the caller that counted it). `roomTokens` is the prompt plus the answer as the server counted
 * them: the most that one call had room for, so a plan in parts stays under it.
 */
export class CutOffError extends AppError {
  readonly roomTokens?: number;
  readonly spent?: Spent;
  constructor(message: string, options: { cause: unknown; roomTokens?: number; spent?: Spent }) {
    super("summarization_failed", message, { cause: options.cause, retriable: false });
    this.name = "CutOffError";
    this.roomTokens = options.roomTokens;
    this.spent = options.spent;
  }
}

export interface ChatOptions {
  client: OpenAI;
  model: string;
  /** Waits of up to this long for a 429 happen in the call; longer ones go back to the runner (default 5 s). */
  maxInlineWaitMs?: number;
  /** The longest wait handed to the runner for a 429, whatever the server asks (default 5 min). */
  maxRetryAfterMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const MAX_INLINE_RATE_RETRIES = 2;

const CONTEXT_WORDS =
  /context[_ ]length|context window|maximum context|context size|too many tokens|prompt is too long|input is too long|reduce the length|exceeds? (the )?(model'?s? )?(max|maximum|token|context)|tokens? limit/i;
const FORMAT_WORDS =
  /response_format|json_schema|json_object|structured output|guided|grammar|not supported|unsupported|unknown (field|param)|extra (input|field)s?|unrecognized|not allowed/i;

function errorText(error: InstanceType<typeof OpenAI.APIError>): string {
  return `${error.message} ${JSON.stringify(error.error ?? "")}`;
}

export function isContextLengthError(error: unknown): boolean {
  if (!(error instanceof OpenAI.APIError)) return false;
  if (error.code === "context_length_exceeded") return true;
  return [400, 413, 422].includes(error.status ?? 0) && CONTEXT_WORDS.test(errorText(error));
}

/** Ollama, vLLM, LM Studio and older gateways each refuse an output format in their own words. */
export function isFormatRejection(error: unknown): boolean {
  if (!(error instanceof OpenAI.APIError)) return false;
  const status = error.status ?? 0;
  return (
    (status === 400 || status === 404 || status === 422 || status === 500 || status === 501) &&
    FORMAT_WORDS.test(errorText(error))
  );
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** One chat completion: usage counted, 429s waited out (briefly here, else by the runner), context overflow named. */
export async function chat(
  options: ChatOptions,
  messages: ChatCompletionMessageParam[],
  format: OutputFormat | null,
  usage: Usage,
  schema?: { name: string; jsonSchema: Record<string, unknown> },
): Promise<string> {
  const maxInline = options.maxInlineWaitMs ?? 5_000;
  const maxRetryAfter = options.maxRetryAfterMs ?? 300_000;
  const sleep = options.sleep ?? sleepFor;
  for (let attempt = 0; ; attempt++) {
    try {
      const response = await options.client.chat.completions.create({
        model: options.model,
        messages,
        ...(format === "json_schema" && schema
          ? {
              response_format: {
                type: "json_schema",
                json_schema: { name: schema.name, strict: true, schema: schema.jsonSchema },
              },
            }
          : format === "json_object"
            ? { response_format: { type: "json_object" } }
            : {}),
      });
      usage.calls += 1;
      if (response.usage) {
        usage.input += response.usage.prompt_tokens;
        usage.output += response.usage.completion_tokens;
      } else usage.incomplete = true;
      const choice = response.choices[0];
      const refusal = choice?.message?.refusal;
      if (refusal) throw new AppError("summarization_refused", `The model refused: ${refusal}`, { retriable: false });
      if (choice?.finish_reason === "length")
        throw new CutOffError(CUT_OFF_MESSAGE, {
          cause: { finish_reason: choice.finish_reason, usage: response.usage ?? null },
          ...(response.usage ? { roomTokens: response.usage.prompt_tokens + response.usage.completion_tokens } : {}),
        });
      const content = choice?.message?.content;
      if (!content) throw new AppError("summarization_failed", "The model returned no content", { retriable: true });
      return content;
    } catch (error) {
      if (error instanceof OpenAI.APIError && error.status === 429 && !isQuotaError(error)) {
        const wait = retryAfterMs(error.headers);
        if (wait !== undefined && wait <= maxInline && attempt < MAX_INLINE_RATE_RETRIES) {
          await sleep(wait);
          continue;
        }
        // Without Retry-After the runner's own backoff decides, as for a 5xx.
        throw new AppError("rate_limited", "The AI provider is rate limiting us", {
          cause: error,
          ...(wait !== undefined ? { retryAfterMs: Math.min(wait, maxRetryAfter) } : {}),
        });
      }
      if (isContextLengthError(error))
        throw new ContextLengthError(
          "The input is longer than the model's context window",
          error,
          error instanceof OpenAI.APIError ? statedContextTokens(errorText(error)) : undefined,
        );
      throw error;
    }
  }
}

/** A JSON object out of a reply that may wrap it in a code fence or a sentence. */
function extractJson(raw: string): unknown {
  const trimmed = raw.trim();
  try {
    return JSON.parse(trimmed);
  } catch (firstError) {
    const start = trimmed.indexOf("{");
    const end = trimmed.lastIndexOf("}");
    if (start < 0 || end <= start) throw firstError;
    return JSON.parse(trimmed.slice(start, end + 1));
  }
}

type Parsed<T> = { ok: true; value: T } | { ok: false; errors: string };

function parseReply<T>(raw: string, schema: z.ZodType<T>): Parsed<T> {
  let json: unknown;
  try {
    json = extractJson(raw);
  } catch (error) {
    return { ok: false, errors: `not JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  const result = schema.safeParse(json);
  if (result.success) return { ok: true, value: result.data };
  return {
    ok: false,
    errors: result.error.issues
      .slice(0, 20)
      .map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`)
      .join("; "),
  };
}

export interface StructuredRequest<T> {
  system: string;
  user: string;
  schema: z.ZodType<T>;
  jsonSchema: Record<string, unknown>;
  /** Start with this format (the one that worked last time with this server). */
  startAt?: OutputFormat;
}

/**
 * A JSON answer validated with zod, from any OpenAI-compatible server: structured output (json_schema) first; when
 * the server refuses it, JSON mode; when it refuses that too, plain text with the schema in the prompt. An answer
 * that does not validate gets one repair request quoting the errors; a second bad answer fails the summary.
 */
export async function structuredChat<T>(
  options: ChatOptions,
  request: StructuredRequest<T>,
  usage: Usage,
): Promise<{ value: T; format: OutputFormat; repaired: boolean }> {
  const formats = OUTPUT_FORMATS.slice(OUTPUT_FORMATS.indexOf(request.startAt ?? "json_schema"));
  for (const [i, format] of formats.entries()) {
    const messages: ChatCompletionMessageParam[] = [
      { role: "system", content: format === "text" ? `${request.system}\n${schemaInstruction()}` : request.system },
      { role: "user", content: request.user },
    ];
    let raw: string;
    try {
      raw = await chat(options, messages, format, usage, { name: "summary", jsonSchema: request.jsonSchema });
    } catch (error) {
      if (isFormatRejection(error) && i < formats.length - 1) continue;
      throw fromOpenAIError(error, "summarization_failed");
    }
    const first = parseReply(raw, request.schema);
    if (first.ok) return { value: first.value, format, repaired: false };
    let repairedRaw: string;
    try {
      repairedRaw = await chat(
        options,
        [...messages, { role: "assistant", content: raw }, { role: "user", content: repairMessage(first.errors) }],
        format,
        usage,
        { name: "summary", jsonSchema: request.jsonSchema },
      );
    } catch (error) {
      throw fromOpenAIError(error, "summarization_failed");
    }
    const second = parseReply(repairedRaw, request.schema);
    if (second.ok) return { value: second.value, format, repaired: true };
    throw new AppError(
      "summarization_failed",
      `The model's answer did not match the summary format: ${second.errors}`,
      {
        retriable: false,
      },
    );
  }
  throw new AppError("summarization_failed", "The AI provider accepted no output format", { retriable: false });
}
