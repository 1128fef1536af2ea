import type {
  Article,
  ArticleSearchHit,
  ArticleState,
  Highlight,
  Job,
  JobKind,
  NewArticle,
  Provenance,
  Summary,
  SummaryVersion,
  Transcript,
} from "../domain";
import type { FailureReason } from "../errors";
import type { ImportStore } from "../import/types";
import type { JobStatus, StepName } from "../progress/events";
import type { FollowingStore } from "./following";

export interface CreateJobInput {
  id: string;
  url: string;
  canonicalUrl: string;
  force: boolean;
  /** "summary": a new summary version of `articleId` (never deduplicated by URL). Default "article". */
  kind?: JobKind;
  articleId?: string;
  lang?: string | null;
  model?: string | null;
}

/** A summary found by its cache key: what it said and how it was made. */
export interface CachedSummary {
  summary: Summary;
  provenance: Provenance;
}

export interface JobPatch {
  status?: JobStatus;
  step?: StepName | null;
  reason?: FailureReason | null;
  message?: string | null;
  articleId?: string | null;
  runId?: string | null;
  attempts?: number;
  costUsd?: number | null;
  /** ISO time the job left the failure inbox; null puts it back (a retry does). */
  dismissedAt?: string | null;
  /** Merged into the stored per-step timings. */
  steps?: Job["steps"];
}

export interface SearchInput {
  q?: string;
  limit?: number;
  /** Opaque cursor from the previous page. */
  cursor?: string;
}

export interface SearchPage {
  items: ArticleSearchHit[];
  nextCursor?: string;
}

export const LIBRARY_KINDS = ["article", "podcast", "video", "pdf"] as const;
export type LibraryKind = (typeof LIBRARY_KINDS)[number];

export interface LibraryQuery {
  q?: string;
  kind?: LibraryKind;
  tag?: string;
  site?: string;
  /** Saved on or after / on or before these days (YYYY-MM-DD, UTC). */
  from?: string;
  to?: string;
  sort?: "newest" | "relevance";
  /** The reader's filters: triage state, favourites, read or unread. */
  state?: ArticleState;
  favorite?: boolean;
  read?: boolean;
  limit?: number;
  offset?: number;
}

/** A library row: what a search hit shows, plus its kind and dates for the filters. */
export interface LibraryHit extends Omit<ArticleSearchHit, "snippet" | "rank"> {
  kind: LibraryKind;
  publishedTime: string | null;
  /** Search matches with <b> highlights (sanitize before rendering). */
  snippet: string | null;
  state: ArticleState;
  read: boolean;
  favorite: boolean;
}

/** What a reader may change on an article; absent fields stay as they are. */
export interface ArticlePatch {
  state?: ArticleState;
  read?: boolean;
  favorite?: boolean;
  title?: string;
  tags?: string[];
  note?: string;
  position?: { fraction?: number | null; seconds?: number | null };
}

/** A highlight to store: the quote already found verbatim in `source`. */
export interface NewHighlight {
  quote: string;
  note: string | null;
  source: Highlight["source"];
  offset: number;
  startSec: number | null;
}

export interface LibraryPage {
  total: number;
  items: LibraryHit[];
  /** Counts per value of each filter, with the other filters applied. */
  facets: { kind: Partial<Record<LibraryKind, number>>; tag: [string, number][]; site: [string, number][] };
}

export interface TranscriptChunkKey {
  mediaUrl: string;
  startSec: number;
  endSec: number;
  model: string;
}

/**
 * The Store port: exactly the operations the app needs.
 * Adapters: SQL (postgres.js or PGlite) and supabase-js. Failures throw AppError("storage_failed") with the cause kept.
 */
export interface Store extends FollowingStore, ImportStore {
  readonly kind: "pglite" | "postgres" | "supabase";
  /**
   * Creates the job unless a queued/running job for the same canonical URL exists; then returns that one
   * (`created: false`). Atomic: concurrent calls for one URL produce one job.
   */
  createJob(input: CreateJobInput): Promise<{ job: Job; created: boolean }>;
  getJob(id: string): Promise<Job | null>;
  updateJob(id: string, patch: JobPatch): Promise<Job>;
  /** Newest first. `dismissed`: only dismissed jobs (true), only the others (false), or both (absent). */
  listJobs(filter: { status?: JobStatus; dismissed?: boolean; limit?: number }): Promise<Job[]>;
  /**
   * Dismisses a failed or cancelled job from the failure inbox (true) or restores it (false), in one conditional
   * statement; null when there is no such job in a state that can be dismissed.
   */
  dismissJob(id: string, dismissed: boolean): Promise<Job | null>;
  /**
   * Inserts or updates by canonical URL; a new summary becomes the current one, earlier ones are kept as versions.
   * The summary is filed under `provenance.cacheKey` when it has one.
   */
  upsertArticle(article: NewArticle): Promise<Article>;
  /** The newest summary made under this cache key (content hash + model + prompt version + language), if any. */
  findSummary(cacheKey: string): Promise<CachedSummary | null>;
  /** A new summary version of an existing article, made current; null when the article does not exist. */
  addSummary(articleId: string, made: CachedSummary): Promise<Article | null>;
  /** Every summary version of an article, newest first. */
  listSummaries(articleId: string): Promise<SummaryVersion[]>;
  /** Makes one of the article's versions current; null when the article or that version of it does not exist. */
  setCurrentSummary(articleId: string, summaryId: string): Promise<Article | null>;
  getArticle(id: string): Promise<Article | null>;
  /**
   * The article for a submitted URL's canonical form: the article whose canonical URL it is, or the one a
   * completed job for that URL produced (pages often declare a different `<link rel=canonical>`).
   */
  getArticleByCanonicalUrl(canonicalUrl: string): Promise<Article | null>;
  searchArticles(input: SearchInput): Promise<SearchPage>;
  /** The library page: search combined with filters, counts per filter value, offset pages. */
  browseLibrary(query: LibraryQuery): Promise<LibraryPage>;
  /** Applies the reader's patch; tags go into the current summary (and its version). Null when absent. */
  updateArticle(id: string, patch: ArticlePatch): Promise<Article | null>;
  /**
   * Deletes the article, its summary versions, transcripts, highlights, finished jobs and cached transcription of
   * its media; returns the deleted jobs' ids (their progress logs go too), or null when there is no such article.
   */
  deleteArticle(id: string): Promise<{ jobIds: string[] } | null>;
  /** Null when the article does not exist. */
  addHighlight(articleId: string, highlight: NewHighlight): Promise<Highlight | null>;
  /** Oldest first. */
  listHighlights(articleId: string): Promise<Highlight[]>;
  /** False when the article has no such highlight. */
  deleteHighlight(articleId: string, highlightId: string): Promise<boolean>;
  getTranscriptChunk(key: TranscriptChunkKey): Promise<Transcript | null>;
  putTranscriptChunk(key: TranscriptChunkKey, transcript: Transcript): Promise<void>;
  /**
   * One transition of the job's state machine (lib/jobs/transitions.ts names them all), in one conditional statement;
   * null when there is no such job.
   */
  transitionJob(id: string, request: TransitionRequest): Promise<TransitionResult | null>;
  /**
   * The `complete` transition, holder only, with the article (when given) saved in the same transaction: a run that
   * no longer holds the job saves nothing.
   */
  completeRun(
    id: string,
    token: string,
    input: { article?: NewArticle; patch: TransitionPatch },
  ): Promise<CompletedRun>;
  /** The inline runner's durable step outputs for one run of a job, by step id. */
  loadStepResults(jobId: string, runKey: string): Promise<Record<string, unknown>>;
  /** Saved only while the run whose token is given holds the job; false (nothing saved) otherwise. */
  saveStepResult(jobId: string, runKey: string, stepId: string, output: unknown, token: string): Promise<boolean>;
  /** The run whose step result was saved last, to resume; null when none was. */
  latestRunKey(jobId: string): Promise<string | null>;
  /**
   * The inline runner's lease on an active job: `claim` takes it when free, expired or already ours; `takeover`
   * only when it expired (its runner stopped); `renew` only while ours. `takeovers` counts runners that took over.
   */
  leaseJob(jobId: string, owner: string, ms: number, mode: LeaseMode): Promise<{ held: boolean; takeovers: number }>;
  releaseJob(jobId: string, owner: string): Promise<void>;
  /**
   * Queued or running jobs nobody runs: a lease that ran out, or no lease and no change for `idleMs` (a run that lost
   * its lease, a queued job whose dispatch never started a run). Oldest first.
   */
  listStaleJobs(idleMs: number, limit?: number): Promise<Job[]>;
  /**
   * Retention: deletes finished jobs (completed, failed, cancelled) last updated before `before`, oldest first, at
   * most `limit`; returns their ids. Articles stay.
   */
  trimFinishedJobs(before: Date, limit: number): Promise<string[]>;
  /**
   * The admin session version (0 until the first sign-out): a session cookie sealed with another version is refused.
   * Stored with the data, never only in KV, whose eviction or flush would revive revoked cookies.
   */
  sessionVersion(): Promise<number>;
  /** Sign-out: revokes every admin session issued so far, atomically; returns the new version. */
  revokeSessions(): Promise<number>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export type LeaseMode = "claim" | "takeover" | "renew";

export type TransitionFence = "any" | "holder" | "expect" | "start";

/** Job fields a transition sets, and its effects on the run's hold. */
export type TransitionPatch = Omit<JobPatch, "status" | "attempts" | "dismissedAt"> & {
  /**
   * What a step just paid, added to the job's cost in the same statement (concurrent steps lose no increment);
   * null: its price is unknown, and so is the job's total from then on.
   */
  spend?: number | null;
  /** `set`: the caller's token holds the job (and its lease); `clear`: nobody does. */
  token?: "set" | "clear";
  /** The holder's lease runs this long from now (inline runs; Inngest runs hold none). */
  leaseMs?: number;
  /** A retry: attempts + 1, and back in the failure inbox should it fail again. */
  retry?: boolean;
  dismissed?: boolean;
};

export interface TransitionRequest {
  from: readonly JobStatus[];
  /** null: the status stays. */
  to: JobStatus | null;
  fence: TransitionFence;
  token: string | null;
  patch: TransitionPatch;
}

export interface TransitionResult {
  ok: boolean;
  /** After the transition, or as it is when refused. */
  job: Job;
  /** Who held the job before (ok only): a new run announces itself unless a submit or retry just did. */
  previous?: { status: JobStatus; runToken: string | null };
  /** Runners that took the job over from one that stopped. */
  takeovers: number;
  /** Why it was refused, beyond the state: `active_url` (another job for the URL is active). */
  conflict?: string;
}

export interface CompletedRun extends TransitionResult {
  article?: Article;
}
