import { createHash, randomUUID } from "node:crypto";
import { AppError, toAppError } from "../errors";
import type { JobDispatch } from "../jobs/runner";
import { dispatchOrFail } from "../jobs/service";
import { canonicalizeUrl } from "../net/canonical-url";
import { assertFetchableUrl } from "../net/safe-fetch";
import type { Resolver } from "../net/types";
import { createPublisher } from "../progress/publisher";
import { sleep } from "../progress/wait";
import type { Services } from "../services";
import type { ParsedImport } from "./parse";
import type { ExpandEntry, ImportDecision, ImportRecord } from "./types";

export type ImportServices = Pick<Services, "store" | "kv" | "runner" | "now" | "config" | "logger">;

/** How fast an import hands its jobs to the runner. */
export interface ImportThrottle {
  /** This import's jobs active (handed over, not finished) per host at once. */
  perHost: number;
  /** This import's jobs active at once over all hosts. */
  overall: number;
  /** How often a dispatch round looks for finished jobs. */
  pollMs: number;
  /** How long one dispatch round (one durable step) lasts at most. */
  roundMs: number;
  /** Rounds before the rest is handed over unthrottled (Inngest allows 1,000 steps per run). */
  maxRounds: number;
}

export const DEFAULT_THROTTLE: ImportThrottle = {
  perHost: 2,
  overall: 4,
  pollMs: 250,
  roundMs: 30_000,
  maxRounds: 900,
};

/** Entries validated and turned into jobs per durable step. */
export const EXPAND_BATCH = 250;
/** Hand-overs recorded together. */
const MARK_EVERY = 25;
/** URLs of one batch validated (DNS included) at once. */
const VALIDATE_CONCURRENCY = 8;

export interface ImportOptions {
  /** Injected in tests: DNS answers without the network. */
  resolver?: Resolver;
}

/** Records an uploaded export as a new import; `launch` starts its background run (Inngest event or inline). */
export async function createImport(
  parsed: ParsedImport,
  filename: string | null,
  services: Pick<Services, "store">,
  launch: (importId: string) => Promise<void>,
): Promise<ImportRecord> {
  const id = `imp_${randomUUID().replaceAll("-", "").slice(0, 20)}`;
  const record = await services.store.createImport({
    id,
    format: parsed.format,
    filename: filename?.slice(0, 200) ?? null,
    items: parsed.entries,
  });
  await launch(id);
  return record;
}

/** One durable step runner: Inngest's `step.run`, or the inline runner's plain call. */
export interface ImportStepRunner {
  run<T>(id: string, fn: () => Promise<T>): Promise<T>;
}

/**
 * The background import, written once for both runners. Every step reads and writes the import's rows, so a step
 * run twice (a retry, a resumed inline run) does nothing twice: `expand` steps validate and dedupe the undecided
 * entries a batch at a time and create their jobs (queued, not started); `dispatch` rounds hand those jobs to the
 * runner as the per-host throttle allows; `finish` marks the import completed.
 */
export async function runImport(
  importId: string,
  step: ImportStepRunner,
  services: ImportServices,
  throttle: ImportThrottle = DEFAULT_THROTTLE,
  options: ImportOptions = {},
): Promise<void> {
  for (let batch = 0; ; batch++) {
    const decided = await step.run(`expand:${batch}`, () => expandBatch(importId, services, options));
    if (decided === 0) break;
  }
  for (let round = 0; ; round++) {
    const unthrottled = round >= throttle.maxRounds;
    const waiting = await step.run(`dispatch:${round}`, () =>
      dispatchRound(importId, services, unthrottled ? { ...throttle, perHost: 1e9, overall: 1e9 } : throttle),
    );
    if (waiting === 0) break;
  }
  await step.run("finish", () => services.store.setImportStatus(importId, "completed"));
}

/** The job id an entry's job gets, derived from the import and the entry: the same on every attempt of a step. */
export function importJobId(importId: string, position: number): string {
  return `job_${createHash("sha256").update(`${importId}:${position}`).digest("hex").slice(0, 20)}`;
}

/**
 * Decides up to EXPAND_BATCH undecided entries: the same validation and SSRF policy as POST /api/jobs, then dedupe
 * by canonical URL (earlier in the batch here; the library, an active job — an earlier batch's too — in SQL), then a
 * queued job for each new URL. Resolves how many entries it looked at (0: none left).
 */
export async function expandBatch(
  importId: string,
  services: ImportServices,
  options: ImportOptions = {},
): Promise<number> {
  const pending = await services.store.pendingImportItems(importId, EXPAND_BATCH);
  if (pending.length === 0) return 0;
  const validated = await mapLimited(pending, VALIDATE_CONCURRENCY, async (item) => {
    try {
      const url = await assertFetchableUrl(item.url, {
        allowlist: services.config.fetchAllowlist,
        resolver: options.resolver,
      });
      return { item, url, canonicalUrl: canonicalizeUrl(url) };
    } catch (error) {
      const refusal = toAppError(error).toPublic();
      return { item, refusal };
    }
  });
  const decisions: ImportDecision[] = [];
  const toQueue: ExpandEntry[] = [];
  const firstInBatch = new Map<string, number>();
  for (const entry of validated) {
    const { position } = entry.item;
    if (!("url" in entry) || entry.url === undefined) {
      decisions.push({ position, outcome: "refused", reason: entry.refusal.reason, message: entry.refusal.message });
      continue;
    }
    const { url, canonicalUrl } = entry;
    const host = new URL(canonicalUrl).host;
    const earlier = firstInBatch.get(canonicalUrl);
    if (earlier !== undefined) {
      decisions.push({
        position,
        outcome: "duplicate",
        reason: "in_file",
        message: `Same URL as entry ${earlier + 1}`,
        host,
      });
      continue;
    }
    firstInBatch.set(canonicalUrl, position);
    toQueue.push({ position, url, canonicalUrl, host, jobId: importJobId(importId, position) });
  }
  // Refusals first: the batch's queued entries are the last to be decided, in one transaction with their jobs.
  if (decisions.length > 0) await services.store.recordImportDecisions(importId, decisions);
  const created = toQueue.length > 0 ? await services.store.expandImportEntries(importId, toQueue) : [];
  for (const job of created) {
    await createPublisher(services, job.jobId).publish({
      type: "job.queued",
      data: { url: job.url, runner: services.runner.kind },
    });
  }
  return pending.length;
}

/**
 * One dispatch round, at most `roundMs` long: hands waiting jobs to the runner while this import has fewer than
 * `perHost` active jobs on their host and fewer than `overall` in all, in file order, looking again every `pollMs`.
 * Resolves how many jobs still wait (0: all handed over).
 */
export async function dispatchRound(
  importId: string,
  services: ImportServices,
  throttle: ImportThrottle,
): Promise<number> {
  const deadline = services.now() + throttle.roundMs;
  for (;;) {
    const view = await services.store.importDispatchView(importId, 500);
    if (view.waitingTotal === 0) return 0;
    const active = { ...view.active };
    let total = Object.values(active).reduce((sum, n) => sum + n, 0);
    const chosen: typeof view.waiting = [];
    for (const waiting of view.waiting) {
      if (total >= throttle.overall) break;
      if ((active[waiting.host] ?? 0) >= throttle.perHost) continue;
      chosen.push(waiting);
      active[waiting.host] = (active[waiting.host] ?? 0) + 1;
      total++;
    }
    // Recorded a few at a time: a run that stops hands over again at most the last few (the runners take a job
    // once: Inngest by its event id, inline by the job's lease).
    for (let i = 0; i < chosen.length; i += MARK_EVERY) {
      const group = chosen.slice(i, i + MARK_EVERY);
      for (const job of group) await dispatchJob(job, services);
      await services.store.markImportDispatched(
        importId,
        group.map((job) => job.position),
      );
    }
    const left = view.waitingTotal - chosen.length;
    if (left === 0) return 0;
    if (services.now() >= deadline) return left;
    await sleep(throttle.pollMs);
  }
}

async function dispatchJob(job: { jobId: string; url: string }, services: ImportServices): Promise<void> {
  const dispatch: JobDispatch = {
    jobId: job.jobId,
    url: job.url,
    force: false,
    runKey: job.jobId,
    kind: "article",
    lang: null,
    model: null,
  };
  // As POST /api/jobs does: a job the runner would not take ends `dispatch_failed`, not left queued; the import
  // goes on with the others.
  await dispatchOrFail(dispatch, services);
}

/** `fn` over `items`, at most `limit` at once, results in order. */
async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) results[i] = await fn(items[i] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export function assertImportId(id: string): string {
  if (!/^imp_[0-9a-f]{20}$/.test(id)) throw new AppError("not_found", `No import ${id}`);
  return id;
}
