import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { SqlExecutor } from "./sql";

export const MIGRATIONS_DIR = path.join(process.cwd(), "supabase", "migrations");

// Any fixed number: every instance that migrates takes the same lock, so two starting at once apply each file once.
const MIGRATION_LOCK = 7_243_001;

/**
 * Files renamed after databases had applied them: two pairs shared a version, and the Supabase CLI keys its history
 * on the leading 14-digit version. A database that recorded the former name records the new one too, without applying
 * the file again; the former row stays, so an older build starting against the same database does not re-apply it.
 */
export const RENAMED_MIGRATIONS: Readonly<Record<string, string>> = {
  "20261126020100_summary_version_order.sql": "20261126020000_summary_version_order.sql",
  "20261126040100_summary_latest_by_version.sql": "20261126040000_summary_latest_by_version.sql",
};

/** `<14-digit version>_<snake_case name>.sql`: the form the Supabase CLI reads, with the version unique. */
const MIGRATION_FILE = /^(\d{14})_[a-z0-9]+(?:_[a-z0-9]+)*\.sql$/;

/** What is wrong with these migration file names (malformed, or a version used twice); empty when none. */
export function migrationFileProblems(files: readonly string[]): string[] {
  const problems: string[] = [];
  const byVersion = new Map<string, string>();
  for (const file of files) {
    const version = MIGRATION_FILE.exec(file)?.[1];
    if (!version) {
      problems.push(`${file}: not <14-digit version>_<snake_case_name>.sql`);
      continue;
    }
    const other = byVersion.get(version);
    if (other) problems.push(`${file}: version ${version} is also ${other} (supabase db push keys history on it)`);
    else byVersion.set(version, file);
  }
  return problems;
}

/** The .sql files of a migrations folder in apply order, refused when their names break the rules above. */
export async function migrationFiles(dir = MIGRATIONS_DIR): Promise<string[]> {
  const files = (await readdir(/*turbopackIgnore: true*/ dir)).filter((f) => f.endsWith(".sql")).sort();
  const problems = migrationFileProblems(files);
  if (problems.length > 0) throw new Error(`Bad migration file names in ${dir}: ${problems.join("; ")}`);
  return files;
}

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
  const files = await migrationFiles(dir);
  const applied: string[] = [];
  for (const file of files) {
    // The folder ships through outputFileTracingIncludes (next.config.ts); no need to trace the whole project.
    const sql = await readFile(path.join(/*turbopackIgnore: true*/ dir, file), "utf8");
    const formerName = RENAMED_MIGRATIONS[file] ?? file;
    const didApply = await db.transaction(async (tx) => {
      await tx.query("select pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
      const done = await tx.query<{ name: string }>("select name from schema_migrations where name = $1 or name = $2", [
        file,
        formerName,
      ]);
      if (done.some((row) => row.name === file)) return false;
      if (done.length === 0) await tx.exec(sql);
      await tx.query("insert into schema_migrations (name) values ($1)", [file]);
      return done.length === 0;
    });
    if (didApply) applied.push(file);
  }
  return applied;
}
