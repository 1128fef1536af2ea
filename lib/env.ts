import { z } from "zod";
import { type ModelTable, modelTableSchema } from "./ai/models";
import { type ChunkingConfig, DEFAULT_CHUNKING } from "./pipeline/chunk-plan";

/**
 * The only module that reads process.env. Everything else receives a typed `Config`.
 * Every variable is optional: absent means the embedded default (PGlite, in-memory KV, offline summary).
 */

const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === "" ? undefined : v))
  .optional();

const optionalUrl = optionalString.pipe(z.url().optional());

const flag = optionalString.transform((v) => v === "1" || v === "true" || v === "yes");

/** A whole number within bounds, or absent (then the embedded default applies). */
const positiveInt = (min: number, max: number) =>
  optionalString
    .transform((v) => (v === undefined ? undefined : Number(v)))
    .pipe(z.number().int().min(min).max(max).optional());

const rawSchema = z.object({
  NODE_ENV: optionalString,
  ADMIN_PASSWORD: optionalString,
  ADMIN_TOKEN: optionalString,
  SESSION_SECRET: optionalString,
  INNGEST_EVENT_KEY: optionalString,
  INNGEST_SIGNING_KEY: optionalString,
  INNGEST_DEV: optionalString,
  INNGEST_BASE_URL: optionalUrl,
  PIPELINE_RUNNER: optionalString.pipe(z.enum(["inngest", "inline"]).optional()),
  KV_REST_API_URL: optionalUrl,
  KV_REST_API_TOKEN: optionalString,
  UPSTASH_REDIS_REST_URL: optionalUrl,
  UPSTASH_REDIS_REST_TOKEN: optionalString,
  REDIS_URL: optionalUrl,
  SUPABASE_URL: optionalUrl,
  SUPABASE_SERVICE_ROLE_KEY: optionalString,
  DATABASE_URL: optionalUrl,
  PGLITE_DIR: optionalString,
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: optionalUrl,
  SUMMARY_MODEL: optionalString,
  TRANSCRIBE_MODEL: optionalString,
  TRANSCRIBE_BASE_URL: optionalUrl,
  MODEL_TABLE: optionalString,
  TRANSCRIBE_CHUNK_SECONDS: positiveInt(30, 3600),
  TRANSCRIBE_CONCURRENCY: positiveInt(1, 32),
  TRANSCRIBE_MAX_SECONDS: positiveInt(60, 48 * 3600),
  TRANSCRIBE_MAX_CHUNKS: positiveInt(1, 500),
  INLINE_LEASE_SECONDS: positiveInt(2, 3600),
  FETCH_ALLOWLIST: optionalString,
  REQUIRE_SERVICES: flag,
  LOG_LEVEL: optionalString.pipe(z.enum(["debug", "info", "warn", "error"]).optional()),
});

export type KvConfig =
  | { kind: "upstash"; url: string; token: string }
  | { kind: "redis"; url: string }
  | { kind: "memory" };

export type StoreConfig =
  | { kind: "supabase"; url: string; serviceRoleKey: string }
  | { kind: "postgres"; url: string }
  | { kind: "pglite"; dir: string };

export type LlmConfig =
  | {
      kind: "openai";
      apiKey: string;
      baseURL?: string;
      summaryModel: string;
      transcribeModel: string;
      transcribeBaseURL?: string;
      /** MODEL_TABLE: context, output limit, tokenizer and prices of models the built-in table lacks. */
      models: ModelTable;
    }
  | { kind: "offline" };

export interface Config {
  /** How long media is cut for speech-to-text (lib/pipeline/chunk-plan.ts). */
  chunking: ChunkingConfig;
  /** The inline runner's lease: a job without a heartbeat for this long has no runner (default 30 s). */
  inlineLeaseMs: number;
  production: boolean;
  auth: { password?: string; token?: string; sessionSecret?: string };
  inngest: InngestSettings;
  /** Explicit PIPELINE_RUNNER; undefined means "decide at start-up" (chooseRunner in lib/services.ts). */
  runner?: "inngest" | "inline";
  kv: KvConfig;
  store: StoreConfig;
  llm: LlmConfig;
  fetchAllowlist: string[];
  requireServices: boolean;
  logLevel: "debug" | "info" | "warn" | "error";
  /** Messages about the configuration worth printing once at start-up. */
  warnings: string[];
}

export interface InngestSettings {
  eventKey?: string;
  signingKey?: string;
  /** INNGEST_DEV as the SDK reads it (parseInngestDev); always false in production. */
  dev: boolean;
  /** The Dev Server's URL when INNGEST_DEV names one. */
  devUrl?: string;
  /** INNGEST_DEV asked for dev mode (whatever NODE_ENV says): production must refuse to start with it. */
  devRequested: boolean;
  baseUrl?: string;
}

export type InngestDevMode = { dev: false } | { dev: true; url?: string };

/**
 * INNGEST_DEV exactly as inngest 4.x reads it (`parseAsBoolean` in helpers/env.ts, then `explicitDevUrl` and `mode`
 * in components/Inngest.ts): trimmed and lower-cased "1"/"true" mean dev, "0"/"false" mean cloud; anything else is dev
 * only if it parses as a URL once "http://" is prefixed to a value without "://" (so "yes" is the Dev Server at
 * http://yes/, as the SDK has it); unset, empty, "undefined" or an unparsable value mean cloud. Reading it any other way
 * would turn signature verification off where the SDK's own tooling says it is on.
 */
export function parseInngestDev(value: string | undefined): InngestDevMode {
  if (value === undefined || value === "") return { dev: false };
  const trimmed = value.trim().toLowerCase();
  if (trimmed === "true" || trimmed === "1") return { dev: true };
  if (trimmed === "false" || trimmed === "0") return { dev: false };
  // The SDK's normalizeUrl throws on exactly "undefined" (any other spelling of it is a host name).
  if (value === "undefined") return { dev: false };
  const candidate = value.includes("://") ? value : `http://${value}`;
  if (!URL.canParse(candidate)) return { dev: false };
  return { dev: true, url: new URL(candidate).href };
}

export class ConfigError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ConfigError";
  }
}

function parseModelTable(raw: string | undefined): ModelTable {
  if (!raw) return {};
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (cause) {
    throw new ConfigError('MODEL_TABLE must be JSON, e.g. {"llama3.1:8b":{"contextTokens":131072}}', { cause });
  }
  const table = modelTableSchema.safeParse(json);
  if (!table.success) {
    const detail = table.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new ConfigError(`MODEL_TABLE: ${detail}`, { cause: table.error });
  }
  return table.data;
}

export function parseConfig(source: Record<string, string | undefined>): Config {
  const parsed = rawSchema.safeParse(source);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new ConfigError(`Invalid environment: ${detail}`, { cause: parsed.error });
  }
  const e = parsed.data;
  const production = e.NODE_ENV === "production";
  const warnings: string[] = [];

  const kvUrl = e.KV_REST_API_URL ?? e.UPSTASH_REDIS_REST_URL;
  const kvToken = e.KV_REST_API_TOKEN ?? e.UPSTASH_REDIS_REST_TOKEN;
  let kv: KvConfig;
  if (kvUrl && kvToken) kv = { kind: "upstash", url: kvUrl, token: kvToken };
  else if (kvUrl || kvToken) throw new ConfigError("KV_REST_API_URL and KV_REST_API_TOKEN must be set together");
  else if (e.REDIS_URL) kv = { kind: "redis", url: e.REDIS_URL };
  else {
    kv = { kind: "memory" };
    if (production) warnings.push("No KV configured: progress is kept in memory and only one instance can see it.");
  }

  let store: StoreConfig;
  if (e.SUPABASE_URL && e.SUPABASE_SERVICE_ROLE_KEY) {
    store = { kind: "supabase", url: e.SUPABASE_URL, serviceRoleKey: e.SUPABASE_SERVICE_ROLE_KEY };
  } else if (e.SUPABASE_URL || e.SUPABASE_SERVICE_ROLE_KEY) {
    throw new ConfigError("SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY must be set together");
  } else if (e.DATABASE_URL) store = { kind: "postgres", url: e.DATABASE_URL };
  else store = { kind: "pglite", dir: e.PGLITE_DIR ?? ".data/pglite" };

  const llm: LlmConfig = e.OPENAI_API_KEY
    ? {
        kind: "openai",
        apiKey: e.OPENAI_API_KEY,
        baseURL: e.OPENAI_BASE_URL,
        summaryModel: e.SUMMARY_MODEL ?? "gpt-4o-mini",
        transcribeModel: e.TRANSCRIBE_MODEL ?? "whisper-1",
        transcribeBaseURL: e.TRANSCRIBE_BASE_URL,
        models: parseModelTable(e.MODEL_TABLE),
      }
    : { kind: "offline" };

  if (production) {
    const missing = (["ADMIN_PASSWORD", "SESSION_SECRET"] as const).filter((k) => !e[k]);
    if (missing.length > 0 && !e.ADMIN_TOKEN) {
      throw new ConfigError(`Production requires ${missing.join(" and ")} (or ADMIN_TOKEN for API-only use)`);
    }
    if (!e.PIPELINE_RUNNER) throw new ConfigError("Production requires PIPELINE_RUNNER=inngest or inline");
  }
  if (e.SESSION_SECRET && e.SESSION_SECRET.length < 32) {
    throw new ConfigError("SESSION_SECRET must be at least 32 characters");
  }

  return {
    production,
    auth: { password: e.ADMIN_PASSWORD, token: e.ADMIN_TOKEN, sessionSecret: e.SESSION_SECRET },
    inngest: inngestSettings(source),
    runner: e.PIPELINE_RUNNER,
    inlineLeaseMs: (e.INLINE_LEASE_SECONDS ?? 30) * 1000,
    chunking: {
      ...DEFAULT_CHUNKING,
      ...(e.TRANSCRIBE_CHUNK_SECONDS ? { chunkSeconds: e.TRANSCRIBE_CHUNK_SECONDS } : {}),
      ...(e.TRANSCRIBE_CONCURRENCY ? { concurrency: e.TRANSCRIBE_CONCURRENCY } : {}),
      ...(e.TRANSCRIBE_MAX_SECONDS ? { maxSeconds: e.TRANSCRIBE_MAX_SECONDS } : {}),
      ...(e.TRANSCRIBE_MAX_CHUNKS ? { maxChunks: e.TRANSCRIBE_MAX_CHUNKS } : {}),
    },
    kv,
    store,
    llm,
    fetchAllowlist: (e.FETCH_ALLOWLIST ?? "")
      .split(",")
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
    requireServices: e.REQUIRE_SERVICES,
    logLevel: e.LOG_LEVEL ?? "info",
    warnings,
  };
}

/**
 * Just the Inngest settings, without the production checks of parseConfig: the Inngest client is built at
 * import time, which includes `next build`, where the deployment's secrets may not be present.
 */
export function inngestSettings(source: Record<string, string | undefined> = process.env): InngestSettings {
  const value = (name: string) => source[name]?.trim() || undefined;
  // Untrimmed, as the SDK sees it.
  const mode = parseInngestDev(source.INNGEST_DEV);
  // Production never runs unsigned steps, whatever INNGEST_DEV says: `next start` and the standalone server set
  // NODE_ENV=production, so dev mode is left to `next dev`, which `npm run dev` binds to loopback.
  const dev = mode.dev && source.NODE_ENV?.trim() !== "production";
  return {
    eventKey: value("INNGEST_EVENT_KEY"),
    signingKey: value("INNGEST_SIGNING_KEY"),
    dev,
    devUrl: dev && mode.dev ? mode.url : undefined,
    devRequested: mode.dev,
    baseUrl: value("INNGEST_BASE_URL"),
  };
}

/** The configuration of this process's environment; lib/services.ts parses it once and holds it. */
export function readConfig(): Config {
  return parseConfig(process.env);
}
