import { randomUUID } from "node:crypto";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { parseConfig } from "@/lib/env";
import { getServices, resetServicesForTesting } from "@/lib/services";
import { MIGRATIONS_DIR, migrate } from "@/lib/store/migrate";
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
  it("two instances starting at once on an empty database apply each file once", async () => {
    const admin = postgres(POSTGRES_URL, { max: 1, onnotice: () => undefined });
    const name = `as_test_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
    await admin.unsafe(`create database ${name}`);
    const url = new URL(POSTGRES_URL);
    url.pathname = `/${name}`;
    const first = createPostgresExecutor(url.toString());
    const second = createPostgresExecutor(url.toString());
    try {
      const [a, b] = await Promise.all([migrate(first), migrate(second)]);
      expect([...a, ...b].sort()).toEqual(FILES);
      expect(await migrate(first)).toEqual([]);
    } finally {
      await first.close();
      await second.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  });
});
