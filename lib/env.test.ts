import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "./env";

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
    });
  });

  it("refuses half-configured pairs with a named error", () => {
    expect(() => parseConfig({ KV_REST_API_URL: "https://kv.example" })).toThrow(ConfigError);
    expect(() => parseConfig({ SUPABASE_URL: "https://p.supabase.co" })).toThrow(/SUPABASE_SERVICE_ROLE_KEY/);
    expect(() => parseConfig({ REDIS_URL: "not a url" })).toThrow(/REDIS_URL/);
  });

  it("requires credentials and an explicit runner in production", () => {
    expect(() => parseConfig({ NODE_ENV: "production", PIPELINE_RUNNER: "inngest" })).toThrow(/ADMIN_PASSWORD/);
    expect(() => parseConfig({ NODE_ENV: "production", ADMIN_PASSWORD: "p", SESSION_SECRET: "s".repeat(32) })).toThrow(
      /PIPELINE_RUNNER/,
    );
    const config = parseConfig({
      NODE_ENV: "production",
      ADMIN_PASSWORD: "p",
      SESSION_SECRET: "s".repeat(32),
      PIPELINE_RUNNER: "inngest",
    });
    expect(config.warnings.join(" ")).toMatch(/in memory/);
  });

  it("parses the fetch allowlist", () => {
    expect(parseConfig({ FETCH_ALLOWLIST: " 127.0.0.1:8080, Localhost " }).fetchAllowlist).toEqual([
      "127.0.0.1:8080",
      "localhost",
    ]);
  });
});
