import { z } from "zod";

/** The structured output asked of the LLM; validated before it is trusted. */
export const summarySchema = z.object({
  tldr: z.string().min(1).describe("One or two sentences: what this is and why it matters."),
  keyPoints: z.array(z.string().min(1)).min(1).max(10).describe("3 to 7 key points, each one sentence."),
  markdown: z.string().min(1).describe("A structured summary in Markdown with ## headings; no title."),
  tags: z.array(z.string().min(1)).max(8).describe("Up to 8 short lowercase topic tags."),
  chapters: z
    .array(z.object({ start: z.number().min(0).describe("Seconds from the start"), title: z.string() }))
    .describe("Chapters with start times, only when the input has timestamps; otherwise an empty list."),
  quotes: z.array(z.string()).max(5).describe("Up to 5 notable verbatim quotes; may be empty."),
});

export type SummaryOutput = z.infer<typeof summarySchema>;

/** JSON Schema for OpenAI structured outputs (strict mode wants every property required, no extras). */
export const summaryJsonSchema = z.toJSONSchema(summarySchema, { target: "draft-7" });
