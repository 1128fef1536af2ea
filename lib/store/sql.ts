import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
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

/** A PGlite folder another live process has open (`npm run dev` and `npm run summarize` on one `.data/pglite`). */
export class PgliteInUseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PgliteInUseError";
  }
}

const LOCK_FILE = "article-summarizer.lock";

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user; ESRCH: gone.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * PGlite is one process's database: a second process writing the same folder corrupts it, and neither sees the
 * other's rows. The first to open the folder writes its pid to a lock file there; another live process is refused
 * by name. A lock left by a process that died is taken over. Returns the release for close().
 */
export function lockPgliteDir(dir: string): () => void {
  const file = path.join(dir, LOCK_FILE);
  const mine = JSON.stringify({ pid: process.pid, command: process.argv.slice(1).join(" ").slice(0, 200) });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, mine, { flag: "wx" });
      return () => {
        try {
          if (readFileSync(file, "utf8") === mine) unlinkSync(file);
        } catch (error) {
          // Already gone (a folder removed with the process's data): nothing to release.
          if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    let holder: { pid?: number; command?: string } = {};
    try {
      holder = JSON.parse(readFileSync(file, "utf8")) as typeof holder;
    } catch (error) {
      // Unreadable or half-written by a process that died while writing it: stale.
      if ((error as NodeJS.ErrnoException).code === "ENOENT") continue;
    }
    if (typeof holder.pid === "number" && holder.pid !== process.pid && processAlive(holder.pid)) {
      throw new PgliteInUseError(
        `The PGlite database in ${dir} is open in process ${holder.pid} (${holder.command ?? "unknown"}). One process at a time: stop it (the app at http://127.0.0.1:3000 runs the same pipeline — submit the URL there), or set PGLITE_DIR to another folder, or use DATABASE_URL.`,
      );
    }
    unlinkSync(file);
  }
  throw new PgliteInUseError(`Could not take the lock ${file}`);
}

/** PGlite in `dir` (created if missing, locked to this process), or in memory for `memory://`. */
export async function createPgliteExecutor(dir: string): Promise<SqlExecutor> {
  const memory = dir.startsWith("memory://");
  if (!memory) mkdirSync(dir, { recursive: true });
  const release = memory ? () => undefined : lockPgliteDir(dir);
  // Loaded on demand and left out of the deployment's traces: production never uses PGlite (lib/env.ts refuses it),
  // and it weighs 20 MB in every function. Development and tests resolve it from node_modules.
  const { PGlite } = (await import(
    /* webpackIgnore: true */ /* turbopackIgnore: true */ "@electric-sql/pglite"
  )) as typeof import("@electric-sql/pglite");
  const db = await PGlite.create(dir).catch((error: unknown) => {
    release();
    throw error;
  });
  return {
    kind: "pglite",
    ...pgliteQueryable(db),
    transaction: (fn) => db.transaction((tx) => fn(pgliteQueryable(tx))),
    close: async () => {
      await db.close();
      release();
    },
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
