import { z } from "zod";
import { MIN_KEY_POINTS } from "./verify";

/**
 * The structured output asked of the LLM; validated before it is trusted. Limits the app enforces itself (at most
 * 7 key points, 8 tags, 5 quotes) are loose here: an answer with 9 tags is trimmed and counted, not re-asked for.
 */
export const summarySchema = z.object({
  tldr: z.string().min(1).describe("One or two sentences: what this is and why it matters."),
  keyPoints: z.array(z.string().min(1)).min(MIN_KEY_POINTS).max(12).describe("3 to 7 key points, each one sentence."),
  markdown: z.string().min(1).describe("A structured summary in Markdown with ## headings; no title."),
  tags: z.array(z.string()).max(30).describe("Up to 8 short lowercase topic tags."),
  chapters: z
    .array(z.object({ start: z.number().describe("Seconds from the start"), title: z.string() }))
    .max(100)
    .describe("Chapters with start times, only when the input has timestamps; otherwise an empty list."),
  quotes: z
    .array(z.string())
    .max(20)
    .describe("Up to 5 notable quotes copied verbatim from the document; may be empty."),
});

export type SummaryOutput = z.infer<typeof summarySchema>;

/** The JSON Schema of the summary, for the plain-text fallback's prompt. */
export const summaryJsonSchema = z.toJSONSchema(summarySchema, { target: "draft-7" });

/** OpenAI strict structured output: every object closed, every property required, no size keywords. */
function strictSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(strictSchema);
  if (!schema || typeof schema !== "object") return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (["$schema", "minLength", "maxLength", "minItems", "maxItems", "minimum", "maximum"].includes(key)) continue;
    out[key] = strictSchema(value);
  }
  if (out.type === "object" && out.properties) {
    out.additionalProperties = false;
    out.required = Object.keys(out.properties as object);
  }
  return out;
}

export const summaryStrictJsonSchema = strictSchema(summaryJsonSchema) as Record<string, unknown>;
