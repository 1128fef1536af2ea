import { cleanText } from "../store/rows";
import { type ImportDispatchView, type ImportStore, importRecordFromRow, importReportFromRow } from "./types";

/**
 * The import operations on either store adapter: each is one SQL function (migration 20261207122650), called with
 * parameterized SQL (postgres.js, PGlite) or as a PostgREST RPC (Supabase). `call` runs the function by name with
 * named arguments and resolves its single jsonb/void result.
 */
export function importStoreOver(
  call: (what: string, fn: string, args: Record<string, unknown>) => Promise<unknown>,
): ImportStore {
  return {
    async createImport(input) {
      const row = await call("create the import", "create_import", { p: cleanText(input) });
      return importRecordFromRow(row as Record<string, unknown>);
    },
    async getImportReport(id) {
      const row = await call("read the import", "import_report", { p_id: id });
      return row ? importReportFromRow(row as Record<string, unknown>) : null;
    },
    async pendingImportItems(id, limit) {
      return ((await call("read the import's entries", "import_pending", { p_id: id, p_limit: limit })) ?? []) as {
        position: number;
        url: string;
      }[];
    },
    async recordImportDecisions(id, decisions) {
      await call("record the import's entries", "import_record", { p_id: id, p: cleanText(decisions) });
    },
    async expandImportEntries(id, entries) {
      return ((await call("queue the import's entries", "import_expand", { p_id: id, p: cleanText(entries) })) ??
        []) as { position: number; jobId: string; url: string }[];
    },
    async importDispatchView(id, limit) {
      const view = (await call("read the import's queue", "import_dispatch_view", {
        p_id: id,
        p_limit: limit,
      })) as ImportDispatchView;
      return {
        active: Object.fromEntries(Object.entries(view.active).map(([host, n]) => [host, Number(n)])),
        waiting: view.waiting,
        waitingTotal: Number(view.waitingTotal),
      };
    },
    async markImportDispatched(id, positions) {
      await call("record the import's dispatch", "import_mark_dispatched", { p_id: id, p_positions: positions });
    },
    async setImportStatus(id, status, message = null) {
      await call("update the import", "import_set_status", { p_id: id, p_status: status, p_message: message });
    },
    async leaseImport(id, owner, ms) {
      return (
        (await call("lease the import", "lease_import", { p_id: id, p_owner: owner, p_ms: Math.round(ms) })) === true
      );
    },
    async releaseImport(id, owner) {
      await call("release the import", "release_import", { p_id: id, p_owner: owner });
    },
    async listAbandonedImports(limit) {
      return ((await call("list abandoned imports", "abandoned_imports", { p_limit: limit })) ?? []) as string[];
    },
  };
}

/** The argument types the SQL functions take, for the parameterized call on postgres.js and PGlite. */
const SQL_TYPES: Record<string, string> = {
  p: "text::jsonb",
  p_id: "text",
  p_limit: "integer",
  p_positions: "integer[]",
  p_status: "text",
  p_message: "text",
  p_owner: "text",
  p_ms: "integer",
};

/** `select fn($1::type, …) as result` for the SQL adapter. */
export function sqlCallOf(fn: string, args: Record<string, unknown>): { text: string; params: unknown[] } {
  const names = Object.keys(args);
  const params = names.map((name) => {
    const value = args[name];
    return SQL_TYPES[name] === "text::jsonb" ? JSON.stringify(value) : value;
  });
  const list = names.map((name, i) => `$${i + 1}::${SQL_TYPES[name] ?? "text"}`).join(", ");
  return { text: `select ${fn}(${list}) as result`, params };
}
