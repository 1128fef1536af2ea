import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { SqlExecutor } from "./sql";

export const MIGRATIONS_DIR = path.join(process.cwd(), "supabase", "migrations");

/**
 * Applies supabase/migrations/*.sql in name order, each once, recording it in schema_migrations.
 * Idempotent: a second run applies nothing, and every statement in a migration is written to be re-runnable,
 * so two instances starting at once cannot break each other.
 */
export async function migrate(db: SqlExecutor, dir = MIGRATIONS_DIR): Promise<string[]> {
  await db.exec(
    "create table if not exists schema_migrations (name text primary key, applied_at timestamptz not null default now())",
  );
  const files = (await readdir(/*turbopackIgnore: true*/ dir)).filter((f) => f.endsWith(".sql")).sort();
  const applied: string[] = [];
  const done = new Set((await db.query<{ name: string }>("select name from schema_migrations")).map((r) => r.name));
  for (const file of files) {
    if (done.has(file)) continue;
    // The folder ships through outputFileTracingIncludes (next.config.ts); no need to trace the whole project.
    const sql = await readFile(/*turbopackIgnore: true*/ path.join(dir, file), "utf8");
    const record = `insert into schema_migrations (name) values ('${file.replaceAll("'", "''")}') on conflict do nothing`;
    await db.exec(`${sql}\n;${record};`);
    applied.push(file);
  }
  return applied;
}
