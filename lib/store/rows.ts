import type { Article, ArticleSearchHit, Job, MediaItem, Provenance, Summary, Transcript } from "../domain";
import type { FailureReason } from "../errors";
import type { JobStatus, StepName } from "../progress/events";

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
  reason: FailureReason | null;
  message: string | null;
  article_id: string | null;
  force: boolean;
  attempts: number;
  run_id: string | null;
  steps: Job["steps"];
  cost_usd: string | number | null;
  created_at: string | Date;
  updated_at: string | Date;
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
  media: MediaItem[];
  transcript: Transcript | null;
  summary: Summary;
  provenance: Provenance;
  cost_usd: string | number | null;
  created_at: string | Date;
  updated_at: string | Date;
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

export const JOB_COLUMNS = [
  "id",
  "url",
  "canonical_url",
  "status",
  "step",
  "reason",
  "message",
  "article_id",
  "force",
  "attempts",
  "run_id",
  "steps",
  "cost_usd",
  "created_at",
  "updated_at",
] as const satisfies readonly (keyof JobRow)[];

export const ARTICLE_COLUMNS = [
  "id",
  "url",
  "canonical_url",
  "title",
  "byline",
  "site_name",
  "lang",
  "published_time",
  "excerpt",
  "html",
  "text",
  "media",
  "transcript",
  "summary",
  "provenance",
  "cost_usd",
  "created_at",
  "updated_at",
] as const satisfies readonly (keyof ArticleRow)[];

/** Timestamps arrive as Date (drivers) or ISO strings (JSON from PL/pgSQL, PostgREST). */
export const iso = (value: string | Date): string => new Date(value).toISOString();
const num = (value: string | number | null): number | null => (value === null ? null : Number(value));

export function jobFromRow(row: JobRow): Job {
  return {
    id: row.id,
    url: row.url,
    canonicalUrl: row.canonical_url,
    status: row.status,
    step: row.step ?? undefined,
    reason: row.reason ?? undefined,
    message: row.message ?? undefined,
    articleId: row.article_id ?? undefined,
    force: row.force,
    attempts: row.attempts,
    runId: row.run_id ?? undefined,
    steps: row.steps ?? {},
    costUsd: num(row.cost_usd),
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
    media: row.media ?? [],
    ...(row.transcript ? { transcript: row.transcript } : {}),
    summary: row.summary,
    provenance: row.provenance,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string): boolean => UUID.test(value);

/** Opaque keyset cursor: the (rank or time, id) pair of the last row of a page. */
export function encodeCursor(hit: ArticleSearchHit, ranked: boolean): string {
  return Buffer.from(JSON.stringify([ranked ? hit.rank : hit.createdAt, hit.id])).toString("base64url");
}

export function decodeCursor(
  cursor: string | undefined,
): { rank: number | null; created: string | null; id: string } | null {
  if (!cursor) return null;
  try {
    const [key, id] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as [number | string, string];
    if (typeof id !== "string" || !isUuid(id)) return null;
    return typeof key === "number" ? { rank: key, created: null, id } : { rank: null, created: String(key), id };
  } catch {
    return null;
  }
}
