import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import postgres from "postgres";

/** The two-method executor the SQL adapter and the migration runner sit on: PGlite and postgres.js alike. */
export interface SqlExecutor {
  readonly kind: "pglite" | "postgres";
  query<T extends object>(text: string, params?: unknown[]): Promise<T[]>;
  /** Runs several statements (migrations) in one transaction; no parameters. */
  exec(text: string): Promise<void>;
  close(): Promise<void>;
}

export async function createPgliteExecutor(dir: string): Promise<SqlExecutor> {
  if (!dir.startsWith("memory://")) mkdirSync(dir, { recursive: true });
  const db = await PGlite.create(dir);
  return {
    kind: "pglite",
    async query<T extends object>(text: string, params: unknown[] = []) {
      return (await db.query<T>(text, params)).rows;
    },
    async exec(text) {
      await db.transaction((tx) => tx.exec(text));
    },
    close: () => db.close(),
  };
}

export function createPostgresExecutor(url: string): SqlExecutor {
  const sql = postgres(url, { max: 10, onnotice: () => undefined, prepare: true, types: {} });
  return {
    kind: "postgres",
    async query<T extends object>(text: string, params: unknown[] = []) {
      return (await sql.unsafe(text, params as postgres.ParameterOrJSON<never>[])) as unknown as T[];
    },
    async exec(text) {
      await sql.begin((tx) => tx.unsafe(text));
    },
    close: () => sql.end({ timeout: 5 }),
  };
}
