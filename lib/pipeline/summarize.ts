import { summaryCacheKey } from "../ai/cache-key";
import { ContextLengthError, CutOffError } from "../ai/chat";
import { resolveLanguage } from "../ai/language";
import { type ModelTable, sumCosts } from "../ai/models";
import { bodyOf, partsAfter } from "../ai/openai-summarizer";
import type { Extracted, Provenance, Transcript } from "../domain";
import type { PartNotes, StepRunner, SummarizeInput, SummarizeResult, Summarizer, SummaryPlan } from "../ports";
import type { EventData } from "../progress/events";
import type { CachedSummary } from "../store/store";
import { billedSeconds, combineCost, cutOffCost, partCost, summaryCost, transcriptionCost } from "./cost";
import { runStage, type StageContext } from "./stage";
import { mapSteps } from "./steps";

/** Parts of one long summary summarized at once: enough to be fast, few enough to stay under rate limits. */
export const SUMMARY_PART_CONCURRENCY = 4;

/** What the summarizer is given: the text, the transcript, and the language to write in (job, page, or detected). */
export function summarizeInput(
  source: Pick<Extracted, "title" | "text" | "lang" | "url" | "media">,
  transcript: Transcript | undefined,
  jobLang?: string | null,
): { input: SummarizeInput; langSource?: "job" | "page" | "detected" } {
  const language = resolveLanguage({
    job: jobLang,
    page: source.lang,
    text: bodyOf({ text: source.text, transcript }),
  });
  const duration = source.media.find((m) => m.durationSec)?.durationSec ?? null;
  return {
    input: {
      title: source.title,
      text: source.text,
      transcript,
      lang: language.lang,
      url: source.url,
      durationSec: duration,
    },
    langSource: language.source,
  };
}

/** The first summarize step's outcome: a finished summary (one call, extractive, or the cache), or a plan of parts. */
export type SummarizeStart = { kind: "done"; result: SummarizeResult } | { kind: "parts"; plan: SummaryPlan };

export interface SummarizeSource {
  /** Everything the summary is made from; re-read by each step (steps return ids and notes, never the text). */
  load: () => Promise<{ input: SummarizeInput; langSource?: "job" | "page" | "detected" }>;
  summarizer: Summarizer;
  /** Skip the cache (`force` on the job). */
  force?: boolean;
}

function cacheKeyOf(input: SummarizeInput, summarizer: Summarizer): string {
  return summaryCacheKey({ title: input.title, body: bodyOf(input), model: summarizer.model, lang: input.lang });
}

function withKey(result: SummarizeResult, key: string, langSource?: "job" | "page" | "detected"): SummarizeResult {
  return { ...result, provenance: { ...result.provenance, cacheKey: key, ...(langSource ? { langSource } : {}) } };
}

/** A cached summary costs this job nothing; its provenance still says how it was made. */
function fromCache(cached: CachedSummary): SummarizeResult {
  const {
    extractor: _extractor,
    transcriptSource: _source,
    transcription: _t,
    totalCostUsd: _total,
    ...provenance
  } = cached.provenance;
  return { summary: cached.summary, provenance: { ...provenance, cached: true } };
}

/**
 * The summarize stage as durable steps:
 *   `summarize`          the cache, the token budget's plan, and (when it fits) the one call;
 *   `summarize:part:<i>` each part of a long input (parallel, bounded), only when the plan has parts;
 *   `summarize:combine`  one call over the parts' notes.
 * A failure in the combine step re-runs only that step: the parts are memoized. A single call the provider refuses
 * as too long for its context, or whose answer is cut off at the output limit, turns into the parts plan instead of
 * a failure — once: the plan is this step's output, so a retry never pays for the cut-off call again, and a cut-off
 * part or combine fails, naming it.
 */
export async function summarizeSteps(
  step: StepRunner,
  ctx: StageContext,
  source: SummarizeSource,
): Promise<SummarizeResult> {
  const { summarizer } = source;
  const started = await step.run("summarize", () =>
    runStage(
      "summarize",
      async (report): Promise<SummarizeStart & { startedAt: number }> => {
        const startedAt = ctx.now();
        const { input, langSource } = await source.load();
        const key = cacheKeyOf(input, summarizer);
        if (!source.force) {
          const cached = await ctx.store.findSummary(key);
          if (cached) return { kind: "done", result: fromCache(cached), startedAt };
        }
        let plan = summarizer.plan(input);
        if (plan.path !== "map-reduce") {
          try {
            report(0, 1, "call");
            return {
              kind: "done",
              result: withKey(await summarizer.summarize(input, plan), key, langSource),
              startedAt,
            };
          } catch (error) {
            plan = partsAfter(summarizer, input, error);
            if (error instanceof ContextLengthError)
              ctx.logger.info("the provider refused the single call as too long: summarizing in parts", {
                contextTokens: error.contextTokens,
              });
            if (error instanceof CutOffError)
              ctx.logger.info("the single call's answer was cut off at the output limit: summarizing in parts", {
                roomTokens: error.roomTokens,
                spent: error.spent,
                parts: plan.parts,
              });
          }
        }
        report(0, plan.parts, "part");
        return { kind: "parts", plan, startedAt };
      },
      ctx,
      {
        complete: (outcome) => outcome.kind === "done",
        spent: (outcome) => (outcome.kind === "done" ? summaryCost(outcome.result) : cutOffCost(outcome.plan)),
        summary: (outcome) => (outcome.kind === "done" ? summaryFacts(outcome.result) : {}),
      },
    ),
  );
  if (started.kind === "done") return started.result;

  const { plan } = started;
  const indexes = Array.from({ length: plan.parts }, (_, i) => i);
  const parts: PartNotes[] = await mapSteps(
    step,
    "summarize:part",
    indexes,
    (index) =>
      runStage(
        "summarize",
        async () => {
          const { input } = await source.load();
          const notes = await summarizer.summarizePart(input, plan, index);
          const done = await partsDone(ctx, index, plan.parts);
          await ctx.progress.publish({
            type: "step.progress",
            step: "summarize",
            attempt: ctx.attempt + 1,
            progress: { done, total: plan.parts, unit: "part" },
            data: { part: index + 1 },
          });
          return notes;
        },
        ctx,
        { start: false, complete: () => false, spent: partCost },
      ),
    { concurrency: SUMMARY_PART_CONCURRENCY },
  );
  return step.run("summarize:combine", () =>
    runStage(
      "summarize",
      async (report) => {
        const { input, langSource } = await source.load();
        // Parts finishing side by side may each have counted fewer: this one says they are all done.
        report(plan.parts, plan.parts, "part");
        return withKey(await summarizer.combine(input, plan, parts), cacheKeyOf(input, summarizer), langSource);
      },
      ctx,
      {
        start: false,
        startedAt: started.startedAt,
        summary: summaryFacts,
        spent: (result) => combineCost(result, plan, parts),
      },
    ),
  );
}

/** What the summarize stage's completion tells the UI: the model and path, and whether it was reused (no cost). */
export function summaryFacts(result: SummarizeResult): EventData<"step.completed"> {
  const { provenance } = result;
  return {
    model: provenance.model,
    path: provenance.path,
    costUsd: provenance.cached ? 0 : provenance.costUsd,
    ...(provenance.cached ? { reused: true } : {}),
  };
}

/**
 * Parts finished so far, this one included, counted from the progress log: parts run in parallel, in separate
 * invocations on Inngest, so no process sees them all. Parts of earlier runs (before the last job.queued) do not count.
 */
async function partsDone(ctx: StageContext, index: number, total: number): Promise<number> {
  try {
    const events = await ctx.kv.readAfter(ctx.jobId, 0, 5_000);
    let since = 0;
    events.forEach((e, i) => {
      if (e.type === "job.queued") since = i;
    });
    const seen = new Set<number>([index + 1]);
    for (const e of events.slice(since)) {
      const part = e.type === "step.progress" && e.step === "summarize" ? e.data?.part : undefined;
      if (typeof part === "number") seen.add(part);
    }
    return Math.min(seen.size, total);
  } catch (error) {
    // Progress is best-effort: a KV outage must not fail a part the model already answered.
    ctx.logger.warn("could not count finished parts", { error });
    return index + 1;
  }
}

/**
 * The whole cost of what the article is made of: the summary plus the speech-to-text of the transcript it summarized,
 * whichever job paid for them (null when a price is unknown). What a job paid is on its row instead, added step by
 * step (lib/pipeline/cost.ts): a result reused from the cache is in the article's cost, not in the reusing job's.
 */
export function costedProvenance(
  summarized: SummarizeResult,
  transcript: Transcript | undefined,
  models: ModelTable,
): Pick<Provenance, "transcription" | "totalCostUsd"> {
  // Billed seconds and cost as the transcription recorded them (its responses' usage, else the audio sent); a
  // transcript stored before billing was recorded falls back to its last segment's end.
  const transcription =
    transcript?.source === "openai" && transcript.model
      ? {
          model: transcript.model,
          seconds: billedSeconds(transcript),
          costUsd: transcriptionCost(transcript, models),
        }
      : undefined;
  return {
    ...(transcription ? { transcription } : {}),
    totalCostUsd: sumCosts(summarized.provenance.costUsd, transcription?.costUsd),
  };
}
