import { describe, expect, it } from "vitest";
import { ConfigError, isTransactionPooler, parseConfig, startupProblems } from "./env";

const PRODUCTION = {
  NODE_ENV: "production",
  DATABASE_URL: "postgres://app@db.example:5432/app",
  REDIS_URL: "redis://kv.example:6379",
  PIPELINE_RUNNER: "inline",
  ADMIN_PASSWORD: "a-long-enough-password",
  ADMIN_TOKEN: "t".repeat(32),
  SESSION_SECRET: "s".repeat(32),
};

describe("parseConfig", () => {
  it("runs with nothing configured: PGlite, memory KV, offline summary", () => {
    const config = parseConfig({});
    expect(config.store).toEqual({ kind: "pglite", dir: ".data/pglite" });
    expect(config.kv).toEqual({ kind: "memory" });
    expect(config.llm).toEqual({ kind: "offline" });
    expect(config.runner).toBeUndefined();
  });

  it("prefers Upstash REST over REDIS_URL and reads both naming conventions", () => {
    expect(
      parseConfig({ KV_REST_API_URL: "https://kv.example", KV_REST_API_TOKEN: "t", REDIS_URL: "redis://x" }).kv.kind,
    ).toBe("upstash");
    expect(parseConfig({ UPSTASH_REDIS_REST_URL: "https://kv.example", UPSTASH_REDIS_REST_TOKEN: "t" }).kv).toEqual({
      kind: "upstash",
      url: "https://kv.example",
      token: "t",
    });
    expect(parseConfig({ REDIS_URL: "redis://127.0.0.1:6379" }).kv).toEqual({
      kind: "redis",
      url: "redis://127.0.0.1:6379",
    });
  });

  it("picks Supabase, then DATABASE_URL, then PGlite", () => {
    expect(parseConfig({ SUPABASE_URL: "https://p.supabase.co", SUPABASE_SERVICE_ROLE_KEY: "k" }).store.kind).toBe(
      "supabase",
    );
    expect(parseConfig({ DATABASE_URL: "postgres://u@h/db" }).store.kind).toBe("postgres");
    // Both set: Supabase wins, whichever the environment lists first.
    const both = {
      DATABASE_URL: "postgres://u@h/db",
      SUPABASE_URL: "https://p.supabase.co",
      SUPABASE_SERVICE_ROLE_KEY: "k",
    };
    expect(parseConfig(both).store).toEqual({ kind: "supabase", url: "https://p.supabase.co", serviceRoleKey: "k" });
    expect(parseConfig({ DATABASE_URL: "postgres://u@h/db", PGLITE_DIR: "/tmp/x" }).store).toEqual({
      kind: "postgres",
      url: "postgres://u@h/db",
      pooled: false,
      poolMax: 10,
    });
  });

  it("refuses half-configured pairs with a named error", () => {
    expect(() => parseConfig({ KV_REST_API_URL: "https://kv.example" })).toThrow(ConfigError);
    expect(() => parseConfig({ SUPABASE_URL: "https://p.supabase.co" })).toThrow(/SUPABASE_SERVICE_ROLE_KEY/);
    expect(() => parseConfig({ REDIS_URL: "not a url" })).toThrow(/REDIS_URL/);
  });

  it("accepts a complete production configuration", () => {
    const config = parseConfig(PRODUCTION);
    expect(config.production).toBe(true);
    expect(startupProblems(PRODUCTION)).toEqual([]);
  });

  it("names every refused production setting", () => {
    const refused = (patch: Record<string, string | undefined>) =>
      startupProblems({ ...PRODUCTION, ...patch }).map((p) => p.variable);
    expect(refused({ DATABASE_URL: undefined })).toEqual(["DATABASE_URL"]);
    expect(refused({ REDIS_URL: undefined })).toEqual(["KV_REST_API_URL"]);
    expect(refused({ PIPELINE_RUNNER: undefined })).toEqual(["PIPELINE_RUNNER"]);
    expect(refused({ VERCEL: "1" })).toEqual(["PIPELINE_RUNNER"]);
    expect(refused({ PIPELINE_RUNNER: "inngest" })).toEqual(["INNGEST_SIGNING_KEY", "INNGEST_EVENT_KEY"]);
    expect(refused({ INNGEST_DEV: "1" })).toEqual(["INNGEST_DEV"]);
    expect(refused({ INNGEST_DEV: "http://127.0.0.1:8288" })).toEqual(["INNGEST_DEV"]);
    expect(refused({ ADMIN_PASSWORD: "short-pass" })).toEqual(["ADMIN_PASSWORD"]);
    expect(refused({ ADMIN_TOKEN: "t".repeat(31) })).toEqual(["ADMIN_TOKEN"]);
    expect(refused({ SESSION_SECRET: undefined })).toEqual(["SESSION_SECRET"]);
    expect(refused({ ADMIN_PASSWORD: undefined, ADMIN_TOKEN: undefined, SESSION_SECRET: undefined })).toEqual([
      "ADMIN_PASSWORD",
    ]);
    // Explicit cloud mode is what production wants.
    expect(refused({ INNGEST_DEV: "0" })).toEqual([]);
    // Several at once: one entry each.
    expect(refused({ DATABASE_URL: undefined, REDIS_URL: undefined })).toEqual(["DATABASE_URL", "KV_REST_API_URL"]);
    // The lazy path refuses the same things.
    expect(() => parseConfig({ ...PRODUCTION, DATABASE_URL: undefined })).toThrow(/DATABASE_URL/);
  });

  it("applies the production rules on Vercel whatever NODE_ENV says", () => {
    expect(startupProblems({ VERCEL: "1" }).map((p) => p.variable)).toContain("DATABASE_URL");
  });

  it("asks the CLIs only for what they use", () => {
    const bare = { NODE_ENV: "production" };
    expect(startupProblems(bare, "cli").map((p) => p.variable)).toEqual(["DATABASE_URL"]);
    expect(startupProblems(bare, "extract")).toEqual([]);
  });

  it("names a malformed variable", () => {
    expect(startupProblems({ REDIS_URL: "not a url" }).map((p) => p.variable)).toEqual(["REDIS_URL"]);
    expect(startupProblems({ KV_REST_API_URL: "https://kv.example" })[0]?.variable).toBe("KV_REST_API_TOKEN");
  });

  it("detects a transaction pooler and keeps the pool small there", () => {
    expect(isTransactionPooler("postgres://u:p@aws-0-eu.pooler.supabase.com:6543/postgres")).toBe(true);
    expect(isTransactionPooler("postgres://u:p@aws-0-eu.pooler.supabase.com:5432/postgres")).toBe(false);
    expect(isTransactionPooler("postgres://u@db.example/app?pgbouncer=true")).toBe(true);
    expect(parseConfig({ DATABASE_URL: "postgres://u@h.example:6543/db" }).store).toEqual({
      kind: "postgres",
      url: "postgres://u@h.example:6543/db",
      pooled: true,
      poolMax: 2,
    });
    expect(parseConfig({ DATABASE_URL: "postgres://u@h.example/db" }).store).toMatchObject({
      pooled: false,
      poolMax: 10,
    });
  });

  it("parses the fetch allowlist", () => {
    expect(parseConfig({ FETCH_ALLOWLIST: " 127.0.0.1:8080, Localhost " }).fetchAllowlist).toEqual([
      "127.0.0.1:8080",
      "localhost",
    ]);
  });
});
