import { randomUUID } from "node:crypto";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { parseConfig } from "@/lib/env";
import { getServices, resetServicesForTesting } from "@/lib/services";
import { MIGRATIONS_DIR, migrate, migrationFileProblems, RENAMED_MIGRATIONS } from "@/lib/store/migrate";
import type { SqlExecutor } from "@/lib/store/sql";
import { createPgliteExecutor, createPostgresExecutor } from "@/lib/store/sql";
import { createSqlStore } from "@/lib/store/sql-store";
import { POSTGRES_URL, serviceAvailable } from "../helpers/services";
import { article } from "./store-fixtures";

const postgresUp = await serviceAvailable("postgres");
const FILES = readdirSync(MIGRATIONS_DIR)
  .filter((f) => f.endsWith(".sql"))
  .sort();

const tempDirs: string[] = [];
const tempDir = (prefix: string) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/** A fresh database on the real PostgreSQL, dropped by the returned cleanup. */
async function scratchDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const admin = postgres(POSTGRES_URL, { max: 1, onnotice: () => undefined });
  const name = `as_test_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
  await admin.unsafe(`create database ${name}`);
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

/** What the runner did before the renames: every file applied and recorded under the name it had then. */
async function migrateUnderFormerNames(db: SqlExecutor): Promise<string[]> {
  await db.exec(
    "create table schema_migrations (name text primary key, applied_at timestamptz not null default now())",
  );
  const former = FILES.map((file) => RENAMED_MIGRATIONS[file] ?? file).sort();
  for (const name of former) {
    const file = Object.entries(RENAMED_MIGRATIONS).find(([, old]) => old === name)?.[0] ?? name;
    const sql = readFileSync(path.join(MIGRATIONS_DIR, file), "utf8");
    await db.transaction(async (tx) => {
      await tx.exec(sql);
      await tx.query("insert into schema_migrations (name) values ($1)", [name]);
    });
  }
  return former;
}

describe("migration file names", () => {
  it("every file is <14-digit version>_<name>.sql and no two share a version (supabase db push keys on it)", () => {
    expect(migrationFileProblems(FILES)).toEqual([]);
  });

  it("no version is dated in the future: a later migration would sort before it, which supabase db push refuses", () => {
    const now = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
    expect(FILES.filter((file) => file.slice(0, 14) > now)).toEqual([]);
  });

  it("names a duplicate or malformed version", () => {
    expect(
      migrationFileProblems([
        "20261126020000_library_browse.sql",
        "20261126020000_summary_version_order.sql",
        "2026112605150_short.sql",
        "20261126051500-dash.sql",
        "20261126051501_Upper.sql",
      ]),
    ).toEqual([
      "20261126020000_summary_version_order.sql: version 20261126020000 is also 20261126020000_library_browse.sql (supabase db push keys history on it)",
      "2026112605150_short.sql: not <14-digit version>_<snake_case_name>.sql",
      "20261126051500-dash.sql: not <14-digit version>_<snake_case_name>.sql",
      "20261126051501_Upper.sql: not <14-digit version>_<snake_case_name>.sql",
    ]);
  });

  it("a renamed file keeps its place in the apply order", () => {
    for (const [file, former] of Object.entries(RENAMED_MIGRATIONS)) {
      const before = FILES.filter((f) => f < file);
      expect(FILES.filter((f) => f !== file && f < former)).toEqual(before);
    }
  });
});

describe("migration runner", () => {
  it("applies every file in order from empty, then nothing on a second run", async () => {
    const db = await createPgliteExecutor("memory://");
    try {
      expect(await migrate(db)).toEqual(FILES);
      expect(await migrate(db)).toEqual([]);
      const recorded = await db.query<{ name: string }>("select name from schema_migrations order by name");
      expect(recorded.map((r) => r.name)).toEqual(FILES);
    } finally {
      await db.close();
    }
  });

  it("rolls back a failing file and does not record it; the files before it stay applied", async () => {
    const dir = tempDir("as-migrations-");
    copyFileSync(path.join(MIGRATIONS_DIR, FILES[0] ?? ""), path.join(dir, FILES[0] ?? ""));
    writeFileSync(
      path.join(dir, "29990101000000_broken.sql"),
      "create table half_done (id int);\nselect nope from nowhere;",
    );
    const db = await createPgliteExecutor("memory://");
    try {
      await expect(migrate(db, dir)).rejects.toThrow(/nowhere/);
      const recorded = await db.query<{ name: string }>("select name from schema_migrations");
      expect(recorded.map((r) => r.name)).toEqual([FILES[0]]);
      expect(await db.query("select 1 from pg_class where relname = 'half_done'")).toEqual([]);
    } finally {
      await db.close();
    }
  });

  it("upgrades a database made by the first migration, keeping its data searchable by the new columns", async () => {
    const dir = tempDir("as-migrations-");
    copyFileSync(path.join(MIGRATIONS_DIR, FILES[0] ?? ""), path.join(dir, FILES[0] ?? ""));
    const db = await createPgliteExecutor("memory://");
    try {
      await migrate(db, dir);
      await db.query("select upsert_article($1::text::jsonb)", [
        JSON.stringify(
          article({
            url: "https://old.example/a",
            summary: { tldr: "t", keyPoints: [], markdown: "about lighthouses", tags: [] },
          }),
        ),
      ]);
      const store = await createSqlStore(db);
      const hits = await store.searchArticles({ q: "lighthouses" });
      expect(hits.items.map((i) => i.url)).toEqual(["https://old.example/a"]);
    } finally {
      await db.close();
    }
  });

  it("getServices opens one PGlite store per process, creating its directory", async () => {
    const dir = path.join(tempDir("as-getstore-"), "nested", "pglite");
    resetServicesForTesting(parseConfig({ PGLITE_DIR: dir, LOG_LEVEL: "error" }));
    try {
      const [a, b] = await Promise.all([getServices(), getServices()]);
      expect(a).toBe(b);
      expect(a.store.kind).toBe("pglite");
      expect(existsSync(dir)).toBe(true);
      expect((await getServices()).store).toBe(a.store);
      await a.store.close();
      await a.reader.close();
    } finally {
      resetServicesForTesting();
    }
  });
});

describe.skipIf(!postgresUp)("migration runner on PostgreSQL", () => {
  it("a database migrated under the former duplicate-version names applies nothing again and records the new names", async () => {
    const scratch = await scratchDatabase();
    const db = createPostgresExecutor(scratch.url);
    try {
      const former = await migrateUnderFormerNames(db);
      expect(former).not.toEqual(FILES);
      expect(await migrate(db)).toEqual([]);
      const recorded = await db.query<{ name: string }>("select name from schema_migrations order by name");
      // The former rows stay: an older build starting against this database does not re-apply them either.
      expect(recorded.map((r) => r.name)).toEqual([...new Set([...FILES, ...former])].sort());
      expect(await migrate(db)).toEqual([]);
    } finally {
      await db.close();
      await scratch.drop();
    }
  });

  it("two instances starting at once on an empty database apply each file once", async () => {
    const scratch = await scratchDatabase();
    const first = createPostgresExecutor(scratch.url);
    const second = createPostgresExecutor(scratch.url);
    try {
      const [a, b] = await Promise.all([migrate(first), migrate(second)]);
      expect([...a, ...b].sort()).toEqual(FILES);
      expect(await migrate(first)).toEqual([]);
    } finally {
      await first.close();
      await second.close();
      await scratch.drop();
    }
  });
});
