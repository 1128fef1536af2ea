import type OpenAI from "openai";
import { AppError } from "../errors";
import type { PartNotes, SplitHint, SummarizeInput, SummarizeResult, Summarizer, SummaryPlan } from "../ports";
import {
  type ChatOptions,
  ContextLengthError,
  CutOffError,
  chat,
  newUsage,
  type OutputFormat,
  structuredChat,
  type Usage,
} from "./chat";
import { chatCostUsd, type ModelTable, type ResolvedModel, resolveModel } from "./models";
import { fromOpenAIError } from "./openai";
import { COMBINE_NOTE, documentMessage, mapPrompt, PROMPT_VERSION, schemaInstruction, systemPrompt } from "./prompts";
import { summarySchema, summaryStrictJsonSchema } from "./schema";
import { countTokens, splitByTokens, truncateToTokens } from "./tokens";
import { verifySummary } from "./verify";

/** The text the model reads: the article, then the transcript with [seconds] marks that chapters are taken from. */
export function bodyOf(input: Pick<SummarizeInput, "text" | "transcript">): string {
  if (!input.transcript) return input.text;
  const transcript = input.transcript.segments?.length
    ? input.transcript.segments
        .map((s) => `[${Math.floor(s.start)}s] ${s.speaker ? `${s.speaker}: ` : ""}${s.text.trim()}`)
        .join("\n")
    : input.transcript.text;
  return input.text.trim() ? `${input.text}\n\nTRANSCRIPT:\n${transcript}` : transcript;
}

/** Chat framing per message (role, separators), as OpenAI counts it. */
const MESSAGE_FRAMING_TOKENS = 8;
/** A summary's answer rarely needs more; the model's own limit applies when it is lower. */
const SUMMARY_OUTPUT_RESERVE = 4_096;
/** Parts no larger than this even for million-token models: smaller parts keep more detail per token. */
const MAX_PART_TOKENS = 100_000;
/** Notes per part as a share of the part, so the combine call adds under a tenth of the content's tokens. */
const NOTES_SHARE = 0.08;
const MIN_NOTES_TOKENS = 150;
const MAX_NOTES_TOKENS = 1_500;

export interface OpenAISummarizerOptions {
  model: string;
  /** Base URL of the OpenAI-compatible server; its host goes into provenance. */
  baseURL?: string;
  models?: ModelTable;
  /** Parts summarized at once are bounded by the pipeline; this only tunes the chat client. */
  chat?: Omit<ChatOptions, "client" | "model">;
}

export function providerHost(baseURL: string | undefined): string {
  try {
    return new URL(baseURL ?? "https://api.openai.com/v1").host;
  } catch {
    // env.ts validates OPENAI_BASE_URL as a URL; this is only reached by a caller passing something else.
    return "unknown";
  }
}

/** Summaries by any OpenAI-compatible chat model: a token budget picks one call or map-reduce; answers are verified. */
export function createOpenAISummarizer(client: OpenAI, options: OpenAISummarizerOptions): Summarizer {
  const model: ResolvedModel = resolveModel(options.model, options.models);
  const provider = providerHost(options.baseURL);
  const chatOptions: ChatOptions = { ...options.chat, client, model: options.model };
  // Tokenizers of unknown models differ from ours: leave them room.
  const margin = model.known ? 1 : 1.15;
  // The format this server accepted last; a server that refused json_schema is not asked again in this process.
  let startAt: OutputFormat = "json_schema";

  const overheadOf = (system: string, input: SummarizeInput, note?: string) =>
    countTokens(system, model.encoding) +
    countTokens(documentMessage({ ...input, body: "", note }), model.encoding) +
    2 * MESSAGE_FRAMING_TOKENS;

  function plan(input: SummarizeInput, hint: SplitHint = {}): SummaryPlan {
    const body = bodyOf(input);
    if (!body.trim()) throw new AppError("summarization_failed", "There is no text to summarize", { retriable: false });
    // A server that refused the single call and said its limit knows better than the table.
    const contextTokens = Math.min(model.contextTokens, hint.contextTokens ?? Number.POSITIVE_INFINITY);
    const contentTokens = countTokens(body, model.encoding);
    // The plain-text fallback carries the schema in the prompt: budget for the largest prompt.
    const promptTokens = overheadOf(`${systemPrompt(input.lang)}\n${schemaInstruction()}`, input);
    const reserve = Math.min(model.maxOutputTokens, SUMMARY_OUTPUT_RESERVE, Math.floor(contextTokens / 4));
    const fits = promptTokens + contentTokens * margin + reserve <= contextTokens;
    if (fits && !hint.split) {
      return {
        path: "single",
        model: model.name,
        parts: 0,
        partTokens: 0,
        notesTokens: 0,
        contentTokens,
        promptTokens,
      };
    }
    const mapOverhead = overheadOf(mapPrompt(MAX_NOTES_TOKENS), input);
    const notesReserve = Math.min(MAX_NOTES_TOKENS, Math.floor(contextTokens / 8));
    let partTokens = Math.min(Math.floor((contextTokens - mapOverhead - notesReserve) / margin), MAX_PART_TOKENS);
    if (partTokens < 200)
      throw new AppError("summarization_failed", `The model's context (${contextTokens} tokens) is too small`, {
        retriable: false,
      });
    // Told to split what looked like it fits, with no limit stated: halves at least.
    if (hint.split && fits) partTokens = Math.min(partTokens, Math.ceil(contentTokens / 2));
    const parts = splitByTokens(body, partTokens, model.encoding).length;
    // The combine call must fit too: notes shrink as parts multiply.
    const combineRoom = contextTokens - promptTokens - reserve;
    const notesTokens = Math.max(
      MIN_NOTES_TOKENS,
      Math.min(
        MAX_NOTES_TOKENS,
        Math.floor((contentTokens / parts) * NOTES_SHARE),
        Math.floor(combineRoom / parts / margin),
      ),
    );
    return { path: "map-reduce", model: model.name, parts, partTokens, notesTokens, contentTokens, promptTokens };
  }

  /** Parts are recomputed from the input in each step (deterministic), so no step output carries the text. */
  function partsOf(input: SummarizeInput, summaryPlan: SummaryPlan): string[] {
    return splitByTokens(bodyOf(input), summaryPlan.partTokens, model.encoding);
  }

  async function finalCall(
    input: SummarizeInput,
    summaryPlan: SummaryPlan,
    body: string,
    usage: Usage,
    note?: string,
  ): Promise<
    Omit<SummarizeResult["provenance"], "inputTokens" | "outputTokens" | "costUsd"> & {
      result: SummarizeResult["summary"];
    }
  > {
    const system = systemPrompt(input.lang);
    const { value, format, repaired } = await structuredChat(
      chatOptions,
      {
        system,
        user: documentMessage({ ...input, body, note }),
        schema: summarySchema,
        jsonSchema: summaryStrictJsonSchema,
        startAt,
      },
      usage,
    );
    startAt = format;
    const source = bodyOf(input);
    const { summary, dropped } = verifySummary(value, {
      text: source,
      segments: input.transcript?.segments,
      durationSec: input.durationSec,
    });
    return {
      result: summary,
      model: model.name,
      promptVersion: PROMPT_VERSION,
      path: summaryPlan.path === "map-reduce" ? "map-reduce" : "single",
      provider,
      format,
      lang: input.lang,
      contentTokens: summaryPlan.contentTokens,
      // What was sent besides the document: all of the rest for one call (as the provider counted it); for the
      // combine call, its instructions and framing (the parts' notes are neither content nor prompt).
      promptTokens:
        summaryPlan.path === "map-reduce"
          ? overheadOf(format === "text" ? `${system}\n${schemaInstruction()}` : system, input, note)
          : Math.max(0, usage.input - summaryPlan.contentTokens),
      dropped,
      repaired,
      ...(summaryPlan.path === "map-reduce" ? { parts: summaryPlan.parts } : {}),
    };
  }

  const result = (
    made: Awaited<ReturnType<typeof finalCall>>,
    usage: Usage,
    extra: { input: number; output: number; promptTokens: number; incomplete?: boolean } = {
      input: 0,
      output: 0,
      promptTokens: 0,
    },
  ): SummarizeResult => {
    const { result: summary, ...provenance } = made;
    const inputTokens = usage.input + extra.input;
    const outputTokens = usage.output + extra.output;
    return {
      summary,
      provenance: {
        ...provenance,
        promptTokens: (provenance.promptTokens ?? 0) + extra.promptTokens,
        inputTokens,
        outputTokens,
        // An answer without usage makes the cost unknown, never $0.
        costUsd: usage.incomplete || extra.incomplete ? null : chatCostUsd(model, inputTokens, outputTokens),
      },
    };
  };

  return {
    model: model.name,
    plan,
    async summarize(input, summaryPlan) {
      const usage = newUsage();
      try {
        return result(await finalCall(input, summaryPlan, bodyOf(input), usage), usage);
      } catch (error) {
        if (!(error instanceof CutOffError)) throw error;
        // Paid for: what this attempt spent travels with the error into the plan of parts, and into the cost.
        throw new CutOffError(error.message, {
          cause: error,
          roomTokens: error.roomTokens,
          spent: {
            inputTokens: usage.input,
            outputTokens: usage.output,
            ...(usage.incomplete ? { usageMissing: true } : {}),
            costUsd: usage.incomplete ? null : chatCostUsd(model, usage.input, usage.output),
          },
        });
      }
    },
    async summarizePart(input, summaryPlan, index): Promise<PartNotes> {
      const parts = partsOf(input, summaryPlan);
      const part = parts[index];
      if (part === undefined) throw new AppError("internal", `No part ${index + 1} of ${parts.length}`);
      const usage = newUsage();
      const words = Math.max(60, Math.floor(summaryPlan.notesTokens * 0.7));
      const system = mapPrompt(words);
      const note = `This is part ${index + 1} of ${parts.length}.`;
      let notes: string;
      try {
        notes = await chat(
          chatOptions,
          [
            { role: "system", content: system },
            { role: "user", content: documentMessage({ ...input, body: part, note }) },
          ],
          null,
          usage,
        );
      } catch (error) {
        if (error instanceof CutOffError)
          throw new AppError(
            "summarization_failed",
            `Part ${index + 1} of ${parts.length}: the model's notes were cut off at its output limit`,
            { cause: error, retriable: false },
          );
        throw fromOpenAIError(error, "summarization_failed");
      }
      return {
        index,
        // A model that ignores the word limit does not get to grow the combine call.
        notes: truncateToTokens(notes.trim(), summaryPlan.notesTokens, model.encoding),
        inputTokens: usage.input,
        outputTokens: usage.output,
        ...(usage.incomplete ? { usageMissing: true } : {}),
        costUsd: usage.incomplete ? null : chatCostUsd(model, usage.input, usage.output),
        promptTokens: overheadOf(system, input, note),
      };
    },
    async combine(input, summaryPlan, parts) {
      const usage = newUsage();
      const body = [...parts]
        .sort((a, b) => a.index - b.index)
        .map((p) => `Part ${p.index + 1}:\n${p.notes}`)
        .join("\n\n");
      let made: Awaited<ReturnType<typeof finalCall>>;
      try {
        made = await finalCall(input, summaryPlan, body, usage, COMBINE_NOTE);
      } catch (error) {
        // Parts are the one recovery from a cut-off answer: a cut-off combine is not split again.
        if (error instanceof CutOffError)
          throw new AppError(
            "summarization_failed",
            `The combined summary of ${parts.length} part${parts.length === 1 ? "" : "s"} was cut off at the model's output limit`,
            { cause: error, retriable: false },
          );
        throw error;
      }
      // A single call cut off before the parts were planned was paid for too: its tokens count here.
      const spent = summaryPlan.spent;
      return result(made, usage, {
        input: parts.reduce((sum, p) => sum + p.inputTokens, spent?.inputTokens ?? 0),
        output: parts.reduce((sum, p) => sum + p.outputTokens, spent?.outputTokens ?? 0),
        promptTokens: parts.reduce(
          (sum, p) => sum + p.promptTokens,
          spent ? Math.max(0, spent.inputTokens - summaryPlan.contentTokens) : 0,
        ),
        incomplete: parts.some((p) => p.usageMissing) || Boolean(spent?.usageMissing),
      });
    },
  };
}

/**
 * The one recovery of a single call that failed for its size: the plan in parts. A context-length refusal (nothing
 * paid) plans under the limit the server stated; an answer cut off at the output limit (paid: its tokens go into the
 * plan, and so into the summary's cost) plans at least two parts, so the combine call reads short notes and leaves
 * the model room to answer. Anything else is rethrown.
 */
export function partsAfter(summarizer: Summarizer, input: SummarizeInput, error: unknown): SummaryPlan {
  if (error instanceof ContextLengthError)
    return summarizer.plan(input, { split: true, contextTokens: error.contextTokens });
  if (error instanceof CutOffError) {
    // Not planned under the cut call's room: a cut at the model's output limit says nothing about its context.
    const plan = summarizer.plan(input, { split: true });
    return error.spent ? { ...plan, spent: error.spent } : plan;
  }
  throw error;
}

/**
 * The whole plan in one process (tests, benchmarks): the pipeline runs the same calls as separate durable steps.
 * A single call refused as too long or cut off at the output limit switches to parts, as the pipeline does.
 */
export async function summarizeInProcess(summarizer: Summarizer, input: SummarizeInput): Promise<SummarizeResult> {
  let summaryPlan = summarizer.plan(input);
  if (summaryPlan.path !== "map-reduce") {
    try {
      return await summarizer.summarize(input, summaryPlan);
    } catch (error) {
      summaryPlan = partsAfter(summarizer, input, error);
    }
  }
  const parts: PartNotes[] = [];
  for (let i = 0; i < summaryPlan.parts; i++) parts.push(await summarizer.summarizePart(input, summaryPlan, i));
  return summarizer.combine(input, summaryPlan, parts);
}
