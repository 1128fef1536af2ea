import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { SqlExecutor } from "./sql";

export const MIGRATIONS_DIR = path.join(process.cwd(), "supabase", "migrations");

// Any fixed number: every instance that migrates takes the same lock, so two starting at once apply each file once.
const MIGRATION_LOCK = 7_243_001;

/**
 * Applies supabase/migrations/*.sql in name order, each once and in its own transaction, recording it in
 * schema_migrations. Idempotent: a second run applies nothing. Returns the files applied by this call.
 */
export async function migrate(db: SqlExecutor, dir = MIGRATIONS_DIR): Promise<string[]> {
  await db.transaction(async (tx) => {
    await tx.query("select pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
    await tx.exec(
      "create table if not exists schema_migrations (name text primary key, applied_at timestamptz not null default now())",
    );
  });
  const files = (await readdir(/*turbopackIgnore: true*/ dir)).filter((f) => f.endsWith(".sql")).sort();
  const applied: string[] = [];
  for (const file of files) {
    // The folder ships through outputFileTracingIncludes (next.config.ts); no need to trace the whole project.
    const sql = await readFile(path.join(/*turbopackIgnore: true*/ dir, file), "utf8");
    const didApply = await db.transaction(async (tx) => {
      await tx.query("select pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
      const done = await tx.query("select 1 from schema_migrations where name = $1", [file]);
      if (done.length > 0) return false;
      await tx.exec(sql);
      await tx.query("insert into schema_migrations (name) values ($1)", [file]);
      return true;
    });
    if (didApply) applied.push(file);
  }
  return applied;
}
