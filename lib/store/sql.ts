import { mkdirSync } from "node:fs";
import postgres from "postgres";

/** What runs SQL: the executor itself, or a transaction handed to `transaction(fn)`. `$1…$n` parameters. */
export interface SqlQueryable {
  query<T extends object>(text: string, params?: unknown[]): Promise<T[]>;
  /** Several statements at once (migrations); no parameters. */
  exec(text: string): Promise<void>;
}

/** The small executor the SQL adapter and the migration runner sit on: PGlite and postgres.js alike. */
export interface SqlExecutor extends SqlQueryable {
  readonly kind: "pglite" | "postgres";
  /** Commits when `fn` resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

interface PgliteLike {
  query<T>(text: string, params?: unknown[]): Promise<{ rows: T[] }>;
  exec(text: string): Promise<unknown>;
}

const pgliteQueryable = (db: PgliteLike): SqlQueryable => ({
  async query<T extends object>(text: string, params: unknown[] = []) {
    return (await db.query<T>(text, params)).rows;
  },
  async exec(text) {
    await db.exec(text);
  },
});

/** PGlite in `dir` (created if missing), or in memory for `memory://`. */
export async function createPgliteExecutor(dir: string): Promise<SqlExecutor> {
  if (!dir.startsWith("memory://")) mkdirSync(dir, { recursive: true });
  // Loaded on demand and left out of the deployment's traces: production never uses PGlite (lib/env.ts refuses it),
  // and it weighs 20 MB in every function. Development and tests resolve it from node_modules.
  const { PGlite } = (await import(
    /* webpackIgnore: true */ /* turbopackIgnore: true */ "@electric-sql/pglite"
  )) as typeof import("@electric-sql/pglite");
  const db = await PGlite.create(dir);
  return {
    kind: "pglite",
    ...pgliteQueryable(db),
    transaction: (fn) => db.transaction((tx) => fn(pgliteQueryable(tx))),
    close: () => db.close(),
  };
}

type Sql = postgres.Sql | postgres.TransactionSql;
type Params = postgres.ParameterOrJSON<never>[];

const postgresQueryable = (sql: Sql): SqlQueryable => ({
  async query<T extends object>(text: string, params: unknown[] = []) {
    return (await sql.unsafe(text, params as Params)) as unknown as T[];
  },
  async exec(text) {
    // Without parameters postgres.js uses the simple protocol, which accepts several statements.
    await sql.unsafe(text);
  },
});

export interface PostgresOptions {
  /** Behind a transaction pooler: prepared statements off (each transaction may get another server connection). */
  pooled?: boolean;
  poolMax?: number;
  /** How long a connection attempt may take before failing (postgres.js's default is 30 s). */
  connectTimeoutSeconds?: number;
}

export function createPostgresExecutor(url: string, options: PostgresOptions = {}): SqlExecutor {
  // Our own flags are not server parameters: postgres.js would send unknown query parameters to the server.
  const connection = new URL(url);
  connection.searchParams.delete("pgbouncer");
  connection.searchParams.delete("prepare");
  // types: {} keeps timestamps and numerics as the driver's defaults; rows map them explicitly (rows.ts).
  const sql = postgres(connection.href, {
    max: options.poolMax ?? 10,
    // Serverless instances sleep between requests: let idle connections go instead of holding pooler slots.
    idle_timeout: 20,
    connect_timeout: options.connectTimeoutSeconds ?? 30,
    onnotice: () => undefined,
    prepare: !options.pooled,
    types: {},
  });
  return {
    kind: "postgres",
    ...postgresQueryable(sql),
    async transaction<T>(fn: (tx: SqlQueryable) => Promise<T>) {
      return (await sql.begin((tx) => fn(postgresQueryable(tx)))) as T;
    },
    close: () => sql.end({ timeout: 5 }),
  };
}
