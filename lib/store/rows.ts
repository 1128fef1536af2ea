import type {
  Article,
  ArticleSearchHit,
  ArticleState,
  Highlight,
  Job,
  JobKind,
  MediaItem,
  Provenance,
  Summary,
  SummaryVersion,
  Transcript,
} from "../domain";
import { AppError, type FailureReason, failureReasonSchema } from "../errors";
import type { JobStatus, StepName } from "../progress/events";
import type {
  ArticlePatch,
  CompletedRun,
  JobPatch,
  LibraryPage,
  LibraryQuery,
  SearchInput,
  SearchPage,
  TransitionPatch,
} from "./store";

/**
 * Database rows as the schema defines them, and their mapping to domain objects. The column lists are checked
 * against the migrated schema by a test, so a migration that renames a column the code uses fails CI.
 */

export interface JobRow {
  id: string;
  url: string;
  canonical_url: string;
  status: JobStatus;
  step: StepName | null;
  /** Checked against lib/errors.ts when read: the schema no longer lists reasons. */
  reason: string | null;
  message: string | null;
  article_id: string | null;
  force: boolean;
  attempts: number;
  run_id: string | null;
  kind: JobKind;
  lang: string | null;
  model: string | null;
  steps: Job["steps"];
  cost_usd: string | number | null;
  dismissed_at: string | Date | null;
  created_at: string | Date;
  updated_at: string | Date;
  run_token: string | null;
}

export interface ArticleRow {
  id: string;
  url: string;
  canonical_url: string;
  title: string;
  byline: string | null;
  site_name: string | null;
  lang: string | null;
  published_time: string | null;
  excerpt: string | null;
  html: string;
  text: string;
  lead_image: string | null;
  media: MediaItem[];
  transcript: Transcript | null;
  summary: Summary;
  provenance: Provenance;
  summary_id: string | null;
  cost_usd: string | number | null;
  state: ArticleState;
  read: boolean;
  favorite: boolean;
  note: string;
  read_fraction: number | null;
  media_seconds: number | null;
  created_at: string | Date;
  updated_at: string | Date;
}

export interface HighlightRow {
  id: string;
  article_id: string;
  quote: string;
  note: string | null;
  source: Highlight["source"];
  quote_offset: number;
  start_sec: number | null;
  created_at: string | Date;
}

export interface SummaryRow {
  id: string;
  article_id: string;
  model: string;
  prompt_version: string;
  lang: string | null;
  content: Summary;
  provenance: Provenance;
  created_at: string | Date;
}

export interface SearchRow {
  id: string;
  url: string;
  title: string;
  site_name: string | null;
  tldr: string | null;
  tags: string[];
  snippet: string | null;
  rank: number;
  created_at: string | Date;
}

export interface TranscriptChunkRow {
  media_url: string;
  start_sec: number;
  end_sec: number;
  model: string;
  transcript: Transcript;
  created_at: string | Date;
}

/** For every column a row type names, whether the type admits null: checked by the compiler against the row types. */
type Nullability<Row> = { readonly [K in keyof Row]-?: null extends Row[K] ? "null" : "not null" };

/** The columns the code reads and writes, with the nullability its row types assume (a test compares both with the schema). */
export const JOB_SCHEMA = {
  id: "not null",
  url: "not null",
  canonical_url: "not null",
  status: "not null",
  step: "null",
  reason: "null",
  message: "null",
  article_id: "null",
  force: "not null",
  attempts: "not null",
  run_id: "null",
  kind: "not null",
  lang: "null",
  model: "null",
  steps: "not null",
  cost_usd: "null",
  dismissed_at: "null",
  created_at: "not null",
  updated_at: "not null",
  run_token: "null",
} as const satisfies Nullability<JobRow>;

export const ARTICLE_SCHEMA = {
  id: "not null",
  url: "not null",
  canonical_url: "not null",
  title: "not null",
  byline: "null",
  site_name: "null",
  lang: "null",
  published_time: "null",
  excerpt: "null",
  html: "not null",
  text: "not null",
  lead_image: "null",
  media: "not null",
  transcript: "null",
  summary: "not null",
  provenance: "not null",
  summary_id: "null",
  cost_usd: "null",
  state: "not null",
  read: "not null",
  favorite: "not null",
  note: "not null",
  read_fraction: "null",
  media_seconds: "null",
  created_at: "not null",
  updated_at: "not null",
} as const satisfies Nullability<ArticleRow>;

export const HIGHLIGHT_SCHEMA = {
  id: "not null",
  article_id: "not null",
  quote: "not null",
  note: "null",
  source: "not null",
  quote_offset: "not null",
  start_sec: "null",
  created_at: "not null",
} as const satisfies Nullability<HighlightRow>;

export const TRANSCRIPT_CHUNK_SCHEMA = {
  media_url: "not null",
  start_sec: "not null",
  end_sec: "not null",
  model: "not null",
  transcript: "not null",
  created_at: "not null",
} as const satisfies Nullability<TranscriptChunkRow>;

/** search_articles() output columns; nullability is not declared for function results, so names only. */
export const SEARCH_COLUMNS = [
  "id",
  "url",
  "title",
  "site_name",
  "tldr",
  "tags",
  "snippet",
  "rank",
  "created_at",
] as const satisfies readonly (keyof SearchRow)[];

const columnsOf = <Row>(schema: Nullability<Row>) => Object.keys(schema) as (keyof Row & string)[];
export const JOB_COLUMNS = columnsOf<JobRow>(JOB_SCHEMA);
export const ARTICLE_COLUMNS = columnsOf<ArticleRow>(ARTICLE_SCHEMA);
export const HIGHLIGHT_COLUMNS = columnsOf<HighlightRow>(HIGHLIGHT_SCHEMA);

/** Timestamps arrive as Date (drivers) or ISO strings (JSON from PL/pgSQL, PostgREST). */
export const iso = (value: string | Date): string => new Date(value).toISOString();
const num = (value: string | number | null): number | null => (value === null ? null : Number(value));

/** A reason this version of the code does not know (written by a newer or older one) reads as `internal`. */
function readReason(value: string): FailureReason {
  const parsed = failureReasonSchema.safeParse(value);
  return parsed.success ? parsed.data : "internal";
}

/** The schema does not list reasons (lib/errors.ts does): a patch with one outside the table is refused here. */
export function checkJobPatch(patch: JobPatch): JobPatch {
  const reason = failureReasonSchema.nullable().optional().safeParse(patch.reason);
  if (!reason.success)
    throw new AppError("storage_failed", "The job patch names an unknown reason", { cause: reason.error });
  return patch;
}

export function jobFromRow(row: JobRow): Job {
  return {
    id: row.id,
    url: row.url,
    canonicalUrl: row.canonical_url,
    status: row.status,
    step: row.step ?? undefined,
    reason: row.reason === null ? undefined : readReason(row.reason),
    message: row.message ?? undefined,
    articleId: row.article_id ?? undefined,
    force: row.force,
    kind: row.kind ?? "article",
    ...(row.lang ? { lang: row.lang } : {}),
    ...(row.model ? { model: row.model } : {}),
    attempts: row.attempts,
    runId: row.run_id ?? undefined,
    steps: row.steps ?? {},
    costUsd: num(row.cost_usd),
    ...(row.dismissed_at ? { dismissedAt: iso(row.dismissed_at) } : {}),
    ...(row.run_token ? { runToken: row.run_token } : {}),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

export function articleFromRow(row: ArticleRow): Article {
  return {
    id: row.id,
    url: row.url,
    canonicalUrl: row.canonical_url,
    title: row.title,
    byline: row.byline,
    siteName: row.site_name,
    lang: row.lang,
    publishedTime: row.published_time,
    excerpt: row.excerpt,
    text: row.text,
    html: row.html,
    leadImage: row.lead_image,
    media: row.media ?? [],
    ...(row.transcript ? { transcript: row.transcript } : {}),
    summary: row.summary,
    provenance: row.provenance,
    summaryId: row.summary_id ?? null,
    state: row.state,
    read: row.read,
    favorite: row.favorite,
    note: row.note,
    position: { fraction: num(row.read_fraction), seconds: num(row.media_seconds) },
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

export function highlightFromRow(row: HighlightRow): Highlight {
  return {
    id: row.id,
    articleId: row.article_id,
    quote: row.quote,
    note: row.note,
    source: row.source,
    offset: Number(row.quote_offset),
    startSec: num(row.start_sec),
    createdAt: iso(row.created_at),
  };
}

/** The reader's patch as update_article() takes it: camelCase keys, only those present. */
export function articlePatchArgs(patch: ArticlePatch): Record<string, unknown> {
  const { position, ...rest } = patch;
  const out: Record<string, unknown> = { ...rest };
  if (position?.fraction !== undefined) out.readFraction = position.fraction;
  if (position?.seconds !== undefined) out.mediaSeconds = position.seconds;
  return cleanText(out);
}

export const SUMMARY_COLUMNS = [
  "id",
  "article_id",
  "model",
  "prompt_version",
  "lang",
  "content",
  "provenance",
  "created_at",
] as const satisfies readonly (keyof SummaryRow)[];

export function versionFromRow(row: SummaryRow, currentId: string | null | undefined): SummaryVersion {
  return {
    id: row.id,
    articleId: row.article_id,
    model: row.model,
    promptVersion: row.prompt_version,
    lang: row.lang,
    summary: row.content,
    provenance: row.provenance,
    current: row.id === currentId,
    createdAt: iso(row.created_at),
  };
}

export function hitFromRow(row: SearchRow): ArticleSearchHit {
  return {
    id: row.id,
    url: row.url,
    title: row.title,
    siteName: row.site_name,
    tldr: row.tldr ?? "",
    tags: row.tags ?? [],
    ...(row.snippet ? { snippet: row.snippet } : {}),
    rank: Number(row.rank),
    createdAt: iso(row.created_at),
  };
}

/** PostgreSQL refuses NUL in text and lone surrogates in UTF-8: clean strings (deeply) before they are sent. */
export function cleanText<T>(value: T): T {
  if (typeof value === "string") return value.replaceAll("\u0000", "").toWellFormed() as T;
  if (Array.isArray(value)) return value.map(cleanText) as T;
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cleanText(v)])) as T;
  }
  return value;
}

/**
 * A btree index entry must fit in a third of a page, so the unique keys (canonical URL, media URL) are capped, in the
 * schema too. Refused up front with a reason instead of failing inside an insert.
 */
export const MAX_URL_BYTES = 2048;

/** Such a URL cannot be stored, so a lookup by it finds nothing. */
export const urlTooLong = (url: string): boolean => Buffer.byteLength(url, "utf8") > MAX_URL_BYTES;

export function assertUrlSize(url: string, what = "URL"): void {
  if (urlTooLong(url)) {
    throw new AppError("invalid_url", `The ${what} is longer than ${MAX_URL_BYTES} bytes`);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string): boolean => UUID.test(value);

/** Opaque keyset cursor: the (rank or time, id) pair of the last row of a page. */
function encodeCursor(hit: ArticleSearchHit, ranked: boolean): string {
  return Buffer.from(JSON.stringify([ranked ? hit.rank : hit.createdAt, hit.id])).toString("base64url");
}

/** A cursor this code did not write (crafted, truncated) is a named 400, never a query the database refuses. */
function decodeCursor(cursor: string | undefined): { rank: number | null; created: string | null; id: string } | null {
  if (!cursor) return null;
  const invalid = (cause?: unknown) => new AppError("invalid_body", "The page cursor is not valid", { cause });
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor.slice(0, 1_000), "base64url").toString("utf8"));
  } catch (cause) {
    throw invalid(cause);
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw invalid();
  const [key, id] = parsed as unknown[];
  if (typeof id !== "string" || !isUuid(id)) throw invalid();
  if (typeof key === "number" && Number.isFinite(key)) return { rank: key, created: null, id };
  if (typeof key === "string" && key.length < 40 && Number.isFinite(Date.parse(key))) {
    return { rank: null, created: key, id };
  }
  throw invalid();
}

/** search_articles() arguments, as both adapters pass them. */
export interface SearchArgs {
  q: string | null;
  limit: number;
  afterRank: number | null;
  afterCreated: string | null;
  afterId: string | null;
}

/** One page of search results: the cursor and page size rules of both adapters; `query` calls search_articles(). */
export async function searchPage(
  input: SearchInput,
  query: (args: SearchArgs) => Promise<SearchRow[]>,
): Promise<SearchPage> {
  const after = decodeCursor(input.cursor);
  const q = input.q?.trim() || null;
  const size = Math.max(1, Math.min(input.limit ?? 20, 100));
  const rows = await query({
    q,
    limit: size + 1,
    afterRank: after?.rank ?? null,
    afterCreated: after?.created ?? null,
    afterId: after?.id ?? null,
  });
  const items = rows.slice(0, size).map(hitFromRow);
  const last = items.at(-1);
  return { items, ...(rows.length > size && last ? { nextCursor: encodeCursor(last, q !== null) } : {}) };
}

/** library_browse() arguments: only set fields, text cleaned like every other input. */
export function libraryArgs(query: LibraryQuery): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  const text = (v: string | undefined, max: number) => (v?.trim() ? v.trim().slice(0, max) : undefined);
  const day = (v: string | undefined) => (v && /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : undefined);
  const fields: [string, string | number | undefined][] = [
    ["q", text(query.q, 500)],
    ["kind", query.kind],
    ["tag", text(query.tag, 100)],
    ["site", query.site === undefined ? undefined : query.site.slice(0, 200)],
    ["from", day(query.from)],
    ["to", day(query.to)],
    ["sort", query.sort],
    ["state", query.state],
    ["favorite", query.favorite === undefined ? undefined : String(query.favorite)],
    ["read", query.read === undefined ? undefined : String(query.read)],
    ["limit", query.limit],
    ["offset", query.offset],
  ];
  for (const [key, value] of fields) if (value !== undefined) out[key] = value;
  return cleanText(out);
}

/** The JSON library_browse() returns, validated (it crosses a process boundary). */
export function libraryPageFromJson(value: unknown): LibraryPage {
  const page = (typeof value === "string" ? JSON.parse(value) : value) as LibraryPage | null;
  if (!page || !Array.isArray(page.items)) throw new Error("library_browse returned no page");
  return {
    total: Number(page.total) || 0,
    items: page.items.map((item) => ({ ...item, createdAt: iso(item.createdAt), tags: item.tags ?? [] })),
    facets: {
      kind: page.facets?.kind ?? {},
      tag: page.facets?.tag ?? [],
      site: page.facets?.site ?? [],
    },
  };
}

/** What `transition_job` / `complete_run` answer. */
export interface TransitionRow {
  ok: boolean;
  job: JobRow & { lease_takeovers?: number };
  previous?: { status: JobStatus; runToken: string | null };
  conflict?: string;
  article?: ArticleRow;
}

export function transitionFromRow(row: TransitionRow): CompletedRun {
  return {
    ok: row.ok,
    job: jobFromRow(row.job),
    takeovers: row.job.lease_takeovers ?? 0,
    ...(row.previous ? { previous: row.previous } : {}),
    ...(row.conflict ? { conflict: row.conflict } : {}),
    ...(row.article ? { article: articleFromRow(row.article) } : {}),
  };
}

export function checkTransitionPatch(patch: TransitionPatch): TransitionPatch {
  checkJobPatch({ reason: patch.reason });
  return patch;
}

/** A session version as the database returned it: a whole number, or the read failed (cookies are then refused). */
export function sessionVersionOf(value: unknown): number {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return value;
  throw new AppError("storage_failed", "The stored session version is not a whole number", {
    cause: new TypeError(`session version: ${JSON.stringify(value)}`),
  });
}
