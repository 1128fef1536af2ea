import type { ImportEntry, ImportFormat } from "./formats";

/** The shapes of an import shared by the store, the service and the API. */

export type ImportStatus = "queued" | "running" | "completed" | "failed";
export type ImportOutcome = "pending" | "queued" | "duplicate" | "refused";

export interface NewImport {
  id: string;
  format: ImportFormat;
  filename: string | null;
  items: ImportEntry[];
}

export interface ImportRecord {
  id: string;
  format: ImportFormat;
  filename: string | null;
  status: ImportStatus;
  total: number;
  message: string | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

/** What became of one entry, recorded once (an entry already decided keeps its outcome). */
export interface ImportDecision {
  position: number;
  outcome: Exclude<ImportOutcome, "pending">;
  reason?: string | null;
  message?: string | null;
  host?: string | null;
  jobId?: string | null;
  articleId?: string | null;
}

export interface ImportReportEntry {
  position: number;
  url: string;
  reason: string | null;
  message: string | null;
  jobId?: string | null;
  articleId?: string | null;
}

export interface ImportReport extends ImportRecord {
  counts: { pending: number; queued: number; duplicate: number; refused: number; dispatched: number };
  /** The import's jobs per status (completed, failed, running…). */
  jobs: Record<string, number>;
  refused: ImportReportEntry[];
  duplicates: ImportReportEntry[];
}

export interface ExpandEntry {
  position: number;
  url: string;
  canonicalUrl: string;
  host: string;
  jobId: string;
}

/** The throttle's view: this import's handed-over jobs still active per host, and the next ones waiting. */
export interface ImportDispatchView {
  active: Record<string, number>;
  waiting: { position: number; jobId: string; url: string; host: string }[];
  waitingTotal: number;
}

/** The store's operations for imports (SQL functions of migration 20261207122650, shared by both adapters). */
export interface ImportStore {
  createImport(input: NewImport): Promise<ImportRecord>;
  getImportReport(id: string): Promise<ImportReport | null>;
  /** Entries not decided yet, in file order. */
  pendingImportItems(id: string, limit: number): Promise<{ position: number; url: string }[]>;
  recordImportDecisions(id: string, decisions: ImportDecision[]): Promise<void>;
  /**
   * Decides validated entries in one transaction: duplicates of the library or of an active job, else a new queued
   * job each. Resolves the jobs it created.
   */
  expandImportEntries(id: string, entries: ExpandEntry[]): Promise<{ position: number; jobId: string; url: string }[]>;
  importDispatchView(id: string, limit: number): Promise<ImportDispatchView>;
  markImportDispatched(id: string, positions: number[]): Promise<void>;
  setImportStatus(id: string, status: ImportStatus, message?: string | null): Promise<void>;
  leaseImport(id: string, owner: string, ms: number): Promise<boolean>;
  releaseImport(id: string, owner: string): Promise<void>;
  /** Active imports whose runner stopped (their lease expired), oldest first. */
  listAbandonedImports(limit: number): Promise<string[]>;
}

export function importRecordFromRow(row: Record<string, unknown>): ImportRecord {
  const iso = (value: unknown) =>
    value === null || value === undefined ? null : new Date(String(value)).toISOString();
  return {
    id: String(row.id),
    format: row.format as ImportFormat,
    filename: (row.filename as string | null) ?? null,
    status: row.status as ImportStatus,
    total: Number(row.total),
    message: (row.message as string | null) ?? null,
    createdAt: iso(row.created_at) ?? "",
    updatedAt: iso(row.updated_at) ?? "",
    finishedAt: iso(row.finished_at),
  };
}

export function importReportFromRow(row: Record<string, unknown>): ImportReport {
  const counts = row.counts as Record<string, number | string>;
  return {
    ...importRecordFromRow(row),
    counts: {
      pending: Number(counts.pending),
      queued: Number(counts.queued),
      duplicate: Number(counts.duplicate),
      refused: Number(counts.refused),
      dispatched: Number(counts.dispatched),
    },
    jobs: Object.fromEntries(
      Object.entries((row.jobs as Record<string, number>) ?? {}).map(([k, v]) => [k, Number(v)]),
    ),
    refused: (row.refused as ImportReportEntry[]) ?? [],
    duplicates: (row.duplicates as ImportReportEntry[]) ?? [],
  };
}
