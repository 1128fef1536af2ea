import { ConfigError, migrationTarget } from "@/lib/env";
import { migrate } from "@/lib/store/migrate";
import { createPostgresExecutor } from "@/lib/store/sql";

const USAGE = `usage: npm run db:migrate -- <postgres connection string>   (or DATABASE_URL=… npm run db:migrate)
Applies supabase/migrations to that database, each file once (the same runner the app uses at start with DATABASE_URL).
Supabase: Dashboard → Connect → the direct or session-pooler connection string.`;

/** Applies the schema to any PostgreSQL by connection string; one JSON line of results on stdout. */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes("--help") || args.length > 1 || args.some((a) => a.startsWith("--"))) {
    process.stderr.write(`${USAGE}\n`);
    process.exit(args.includes("--help") ? 0 : 2);
  }
  let target: ReturnType<typeof migrationTarget>;
  try {
    target = migrationTarget(args[0]);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n${USAGE}\n`);
    process.exit(2);
  }
  if (!target) {
    process.stderr.write(`no database given: pass a connection string or set DATABASE_URL\n${USAGE}\n`);
    process.exit(2);
  }
  const where = new URL(target.url);
  const database = `${where.hostname}:${where.port || 5432}${where.pathname}`;
  const db = createPostgresExecutor(target.url, { pooled: target.pooled, poolMax: 1, connectTimeoutSeconds: 10 });
  try {
    const applied = await migrate(db);
    for (const file of applied) process.stderr.write(`applied ${file}\n`);
    if (applied.length === 0) process.stderr.write(`${database}: already up to date\n`);
    process.stdout.write(`${JSON.stringify({ database, applied })}\n`);
    await db.close();
  } catch (error) {
    await db.close();
    process.stderr.write(
      `✗ could not migrate ${database}: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  }
}

await main();
