import type OpenAI from "openai";
import { AppError } from "../errors";
import type { Summarizer, SummarizeInput, SummarizeResult } from "../pipeline/types";
import { fromOpenAIError } from "./openai";
import { costUsd } from "./pricing";
import { documentMessage, MAP_PROMPT, PROMPT_VERSION, SYSTEM_PROMPT } from "./prompts";
import { summaryJsonSchema, summarySchema } from "./schema";

/** Roughly 4 characters a token: enough to decide between one call and map-reduce. */
const SINGLE_CALL_CHARS = 200_000;
const MAP_CHUNK_CHARS = 60_000;

/** OpenAI strict structured output: every object closed and every property required. */
function strictSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(strictSchema);
  if (!schema || typeof schema !== "object") return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === "$schema" || key === "minLength" || key === "minItems" || key === "maxItems" || key === "minimum")
      continue;
    out[key] = strictSchema(value);
  }
  if (out.type === "object" && out.properties) {
    out.additionalProperties = false;
    out.required = Object.keys(out.properties as object);
  }
  return out;
}

const RESPONSE_FORMAT = {
  type: "json_schema" as const,
  json_schema: { name: "summary", strict: true, schema: strictSchema(summaryJsonSchema) as Record<string, unknown> },
};

export function splitIntoChunks(text: string, size = MAP_CHUNK_CHARS): string[] {
  const chunks: string[] = [];
  let rest = text;
  while (rest.length > size) {
    // Cut at a paragraph or sentence end near the limit so no sentence is split.
    const window = rest.slice(0, size);
    const cut = Math.max(window.lastIndexOf("\n\n"), window.lastIndexOf(". ") + 1, size * 0.6);
    chunks.push(rest.slice(0, cut).trim());
    rest = rest.slice(cut);
  }
  if (rest.trim()) chunks.push(rest.trim());
  return chunks;
}

function bodyOf(input: SummarizeInput): string {
  if (!input.transcript) return input.text;
  const transcript = input.transcript.segments?.length
    ? input.transcript.segments.map((s) => `[${Math.floor(s.start)}s] ${s.text.trim()}`).join("\n")
    : input.transcript.text;
  return input.text ? `${input.text}\n\nTRANSCRIPT:\n${transcript}` : transcript;
}

/** Summaries by any OpenAI-compatible chat model, with structured output; map-reduce for long inputs. */
export function createOpenAISummarizer(client: OpenAI, model: string): Summarizer {
  interface Usage {
    input: number;
    output: number;
  }

  async function complete(system: string, user: string, structured: boolean, usage: Usage): Promise<string> {
    try {
      const response = await client.chat.completions.create({
        model,
        messages: [
          { role: "system", content: system },
          { role: "user", content: user },
        ],
        ...(structured ? { response_format: RESPONSE_FORMAT } : {}),
      });
      usage.input += response.usage?.prompt_tokens ?? 0;
      usage.output += response.usage?.completion_tokens ?? 0;
      const content = response.choices[0]?.message?.content;
      if (!content) throw new AppError("summarization_failed", "The model returned no content", { retriable: true });
      return content;
    } catch (error) {
      throw fromOpenAIError(error, "summarization_failed");
    }
  }

  return {
    model,
    async summarize(input, onProgress): Promise<SummarizeResult> {
      const usage: Usage = { input: 0, output: 0 };
      const body = bodyOf(input);
      if (!body.trim())
        throw new AppError("summarization_failed", "There is no text to summarize", { retriable: false });
      let path: "single" | "map-reduce" = "single";
      let material = body;
      if (body.length > SINGLE_CALL_CHARS) {
        path = "map-reduce";
        const chunks = splitIntoChunks(body);
        const notes: string[] = [];
        for (const [i, chunk] of chunks.entries()) {
          onProgress?.(i, chunks.length + 1);
          notes.push(await complete(MAP_PROMPT, documentMessage({ ...input, body: chunk }), false, usage));
        }
        onProgress?.(chunks.length, chunks.length + 1);
        material = notes.map((n, i) => `Part ${i + 1}:\n${n}`).join("\n\n");
      }
      const raw = await complete(SYSTEM_PROMPT, documentMessage({ ...input, body: material }), true, usage);
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch (cause) {
        throw new AppError("summarization_failed", "The model returned invalid JSON", { cause, retriable: true });
      }
      const result = summarySchema.safeParse(parsed);
      if (!result.success) {
        throw new AppError("summarization_failed", "The model's summary did not match the schema", {
          cause: result.error,
          retriable: true,
        });
      }
      const { chapters, quotes, ...summary } = result.data;
      return {
        summary: { ...summary, ...(chapters.length ? { chapters } : {}), ...(quotes.length ? { quotes } : {}) },
        provenance: {
          model,
          promptVersion: PROMPT_VERSION,
          path,
          inputTokens: usage.input,
          outputTokens: usage.output,
          costUsd: costUsd(model, usage.input, usage.output),
        },
      };
    },
  };
}
