import { type ModelTable, resolveModel, sttCostUsd, sumCosts } from "../ai/models";
import type { Transcript } from "../domain";
import type { PartNotes, SummarizeResult, SummaryPlan } from "../ports";

/**
 * What each paid step of a job spent, priced the way the finished article's provenance prices the whole (so a run
 * that paid for everything records, step by step, the total its completion reports; lib/pipeline/stage.ts adds each
 * to the job row as its step completes). Null: the price is unknown, never $0.
 */

/** Billed seconds of a transcript: its responses' usage, else (stored before billing was recorded) its last segment. */
export const billedSeconds = (transcript: Transcript): number =>
  transcript.billing?.seconds ?? transcript.segments?.reduce((end, s) => Math.max(end, s.end), 0) ?? 0;

/** A speech-to-text transcript's cost: as billed, else its seconds at the model's price. */
export function transcriptionCost(transcript: Transcript, models: ModelTable): number | null {
  if (transcript.billing) return transcript.billing.costUsd;
  return transcript.model ? sttCostUsd(resolveModel(transcript.model, models), billedSeconds(transcript)) : null;
}

/** A summary step that made its summary (not from the cache): the one call, or an extractive summary. */
export const summaryCost = (result: SummarizeResult): number | null | undefined =>
  result.provenance.cached ? undefined : result.provenance.costUsd;

/** The single call cut off before the parts were planned: paid for in the first summarize step. */
export const cutOffCost = (plan: SummaryPlan): number | null | undefined =>
  plan.spent ? (plan.spent.costUsd ?? null) : undefined;

/** A part's notes (a summarizer that prices nothing leaves the cost unknown). */
export const partCost = (notes: PartNotes): number | null => notes.costUsd ?? null;

/**
 * The combine call's own cost: the summary's whole cost less the parts and the cut-off call, which their steps
 * recorded. Derived, not priced again, so the steps add up to the summary's cost to the last rounded digit.
 */
export function combineCost(result: SummarizeResult, plan: SummaryPlan, parts: readonly PartNotes[]): number | null {
  const whole = result.provenance.costUsd;
  const before = sumCosts(cutOffCost(plan), ...parts.map(partCost));
  if (whole === null || before === null) return null;
  return sumCosts(whole, -before);
}
