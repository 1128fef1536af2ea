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
  INNGEST_EVENT_API_BASE_URL: optionalUrl,
  INNGEST_ENV: optionalString,
  INNGEST_SIGNING_KEY_FALLBACK: optionalString,
  INNGEST_STREAMING: optionalString,
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
  VERCEL: optionalString,
  DATABASE_POOL_MAX: optionalString.pipe(z.coerce.number<string>().int().min(1).max(100).optional()),
  RETENTION_DAYS: optionalString.pipe(z.coerce.number<string>().int().min(1).max(3650).optional()),
  TRUSTED_PROXY: positiveInt(0, 10),
});

export type KvConfig =
  | { kind: "upstash"; url: string; token: string }
  | { kind: "redis"; url: string }
  | { kind: "memory" };

export type StoreConfig =
  | { kind: "supabase"; url: string; serviceRoleKey: string }
  | {
      kind: "postgres";
      url: string;
      /** Behind a transaction pooler (Supabase port 6543, PgBouncer): no prepared statements. */
      pooled?: boolean;
      /** Connections per process: small on serverless, where every instance has its own pool. */
      poolMax?: number;
    }
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
  /** Finished jobs and their progress logs older than this are trimmed by the retention cron. */
  retentionDays: number;
  /** Running on Vercel (serverless: work must not outlive its invocation). */
  vercel: boolean;
  /** Messages about the configuration worth printing once at start-up. */
  warnings: string[];
  /**
   * Proxies in front of the app that append the client's address to X-Forwarded-For (TRUSTED_PROXY; Vercel: 1).
   * 0: the header is the client's to write, and the login limiter keys on the socket's address.
   */
  trustedProxyHops: number;
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
  /** Where events are sent (SDK: INNGEST_EVENT_API_BASE_URL, else INNGEST_BASE_URL, else Cloud or the Dev Server). */
  eventApiBaseUrl?: string;
  /** Inngest environment (branch environments); the dashboard link uses it. */
  env?: string;
  /** The previous signing key while a rotation is rolled out (README: rotating the signing key). */
  signingKeyFallback?: string;
  /** INNGEST_STREAMING=true: /api/inngest streams its responses. Off by default (README: Vercel, why). */
  streaming: boolean;
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

/** A setting that stops a production process at start: the variable to fix and why. */
export interface ConfigProblem {
  variable: string;
  message: string;
}

/** package.json engines, .nvmrc and scripts/check-node.mjs say the same. */
export const REQUIRED_NODE_MAJOR = 24;
export const MIN_PASSWORD_LENGTH = 12;
export const MIN_SECRET_LENGTH = 32;

type RawEnv = z.infer<typeof rawSchema>;

/** What the starting process needs: the server everything; the summarize CLI a database; the extract CLI neither. */
export type StartupScope = "server" | "cli" | "extract";

/**
 * Why this environment must not serve production (NODE_ENV=production or on Vercel): one entry per variable.
 * Checked at start by instrumentation.ts (the server) and the CLI, so a misconfigured deployment never says
 * "Ready" and then fails at first use. The CLIs skip what only a server needs (admin access, runner, KV).
 */
export function productionProblems(e: RawEnv, scope: StartupScope = "server"): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const add = (variable: string, message: string) => problems.push({ variable, message });
  if (scope === "extract") return problems;
  if (!e.DATABASE_URL && !(e.SUPABASE_URL && e.SUPABASE_SERVICE_ROLE_KEY)) {
    add(
      "DATABASE_URL",
      "no database configured: set DATABASE_URL, or SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY (PGlite is never used in production)",
    );
  }
  if (parseInngestDev(e.INNGEST_DEV).dev) {
    add("INNGEST_DEV", "must not ask for dev mode in production: it turns off signature checks on /api/inngest");
  }
  if (scope !== "server") return problems;

  const kvUrl = e.KV_REST_API_URL ?? e.UPSTASH_REDIS_REST_URL;
  const kvToken = e.KV_REST_API_TOKEN ?? e.UPSTASH_REDIS_REST_TOKEN;
  if (!kvUrl && !kvToken && !e.REDIS_URL) {
    add(
      "KV_REST_API_URL",
      "no KV configured: set KV_REST_API_URL and KV_REST_API_TOKEN (Upstash / Vercel KV) or REDIS_URL; an in-memory progress log is invisible to other instances",
    );
  }
  if (!e.PIPELINE_RUNNER) {
    add("PIPELINE_RUNNER", "must be set in production: inngest (Vercel, serverless) or inline (one server)");
  } else if (e.PIPELINE_RUNNER === "inline" && e.VERCEL) {
    add("PIPELINE_RUNNER", "inline cannot run on Vercel (work outlives the request): use inngest");
  } else if (e.PIPELINE_RUNNER === "inngest") {
    if (!e.INNGEST_SIGNING_KEY)
      add("INNGEST_SIGNING_KEY", "required with PIPELINE_RUNNER=inngest (Inngest dashboard → Signing key)");
    if (!e.INNGEST_EVENT_KEY)
      add("INNGEST_EVENT_KEY", "required with PIPELINE_RUNNER=inngest (Inngest dashboard → Event keys)");
  }

  if (!e.ADMIN_PASSWORD && !e.ADMIN_TOKEN) {
    add("ADMIN_PASSWORD", "set ADMIN_PASSWORD (with SESSION_SECRET) or ADMIN_TOKEN: production is never open");
  }
  if (e.ADMIN_PASSWORD && e.ADMIN_PASSWORD.length < MIN_PASSWORD_LENGTH) {
    add("ADMIN_PASSWORD", `must be at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  if (e.ADMIN_TOKEN && e.ADMIN_TOKEN.length < MIN_SECRET_LENGTH) {
    add("ADMIN_TOKEN", `must be at least ${MIN_SECRET_LENGTH} characters (openssl rand -hex 32)`);
  }
  if (e.ADMIN_PASSWORD && !e.SESSION_SECRET) {
    add("SESSION_SECRET", "required with ADMIN_PASSWORD: it seals the login cookie (openssl rand -hex 32)");
  } else if (e.SESSION_SECRET && e.SESSION_SECRET.length < MIN_SECRET_LENGTH) {
    add("SESSION_SECRET", `must be at least ${MIN_SECRET_LENGTH} characters (openssl rand -hex 32)`);
  }
  return problems;
}

/**
 * Everything wrong with this environment for the process about to start, named by variable: malformed values
 * always, production refusals when NODE_ENV=production or VERCEL is set. Empty means start.
 */
export function startupProblems(
  source: Record<string, string | undefined> = process.env,
  scope: StartupScope = "server",
): ConfigProblem[] {
  const parsed = rawSchema.safeParse(source);
  if (!parsed.success) {
    return parsed.error.issues.map((i) => ({ variable: String(i.path[0] ?? "environment"), message: i.message }));
  }
  const e = parsed.data;
  const problems = e.NODE_ENV === "production" || e.VERCEL ? productionProblems(e, scope) : [];
  if (problems.length > 0) return problems;
  try {
    parseConfig(source, { scope });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const variable = /\b([A-Z][A-Z0-9_]{2,})\b/.exec(message)?.[1] ?? "environment";
    // "X must be set with Y" is printed as "X: must be set with Y", not "X: X must…".
    return [
      { variable, message: message.startsWith(`${variable} must `) ? message.slice(variable.length + 1) : message },
    ];
  }
  return [];
}

export function parseConfig(
  source: Record<string, string | undefined>,
  options: { scope?: StartupScope } = {},
): Config {
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
  else if (kvUrl || kvToken) throw new ConfigError(halfSetKvMessage(e));
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
  } else if (e.DATABASE_URL) {
    const pooled = isTransactionPooler(e.DATABASE_URL);
    store = {
      kind: "postgres",
      url: e.DATABASE_URL,
      pooled,
      poolMax: e.DATABASE_POOL_MAX ?? (pooled || e.VERCEL ? 2 : 10),
    };
  } else store = { kind: "pglite", dir: e.PGLITE_DIR ?? ".data/pglite" };

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

  if (e.SESSION_SECRET && e.SESSION_SECRET.length < 32) {
    throw new ConfigError("SESSION_SECRET must be at least 32 characters");
  }
  if (production || e.VERCEL) {
    const problems = productionProblems(e, options.scope);
    if (problems.length > 0) {
      throw new ConfigError(problems.map((p) => `${p.variable}: ${p.message}`).join("; "));
    }
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
    retentionDays: e.RETENTION_DAYS ?? 30,
    vercel: Boolean(e.VERCEL),
    warnings,
    trustedProxyHops: e.TRUSTED_PROXY ?? 0,
  };
}

/**
 * Supabase's transaction pooler (Supavisor on port 6543) and PgBouncer in transaction mode hand each transaction
 * a different server connection, so prepared statements break there. `?pgbouncer=true` (Prisma's spelling) or
 * `?prepare=false` force it for other poolers.
 */
export function isTransactionPooler(databaseUrl: string): boolean {
  const url = new URL(databaseUrl);
  if (url.searchParams.get("pgbouncer") === "true" || url.searchParams.get("prepare") === "false") return true;
  return url.port === "6543";
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
    eventApiBaseUrl: value("INNGEST_EVENT_API_BASE_URL"),
    env: value("INNGEST_ENV"),
    signingKeyFallback: value("INNGEST_SIGNING_KEY_FALLBACK"),
    // As the SDK parses it (parseAsBoolean): passed explicitly so the route says what it does.
    streaming: ["1", "true"].includes(value("INNGEST_STREAMING")?.toLowerCase() ?? ""),
  };
}

/**
 * `next dev` (NODE_ENV=development): the page policy then allows React's development tooling (lib/http/csp.ts).
 * Read without the rest of the configuration: proxy.ts runs before any route and needs only this.
 */
export function isDevelopmentServer(source: Record<string, string | undefined> = process.env): boolean {
  return source.NODE_ENV?.trim() === "development";
}

let processScope: StartupScope = "server";

/** The CLIs need no admin access or runner settings; scripts/cli.ts says so before anything reads the config. */
export function declareCliProcess(scope: Exclude<StartupScope, "server">): void {
  processScope = scope;
}

/** The configuration of this process's environment; lib/services.ts parses it once and holds it. */
export function readConfig(): Config {
  return parseConfig(process.env, { scope: processScope });
}

/**
 * `npm run db:migrate`'s target: the connection string given on its command line, else DATABASE_URL (also when the
 * app itself talks to Supabase over REST, which never migrates). Undefined: nothing to migrate.
 */
export function migrationTarget(
  argument: string | undefined,
  source: Record<string, string | undefined> = process.env,
): { url: string; pooled: boolean } | undefined {
  const url = argument ?? optionalUrl.parse(source.DATABASE_URL);
  if (url === undefined) return undefined;
  if (!/^postgres(ql)?:\/\//.test(url) || !URL.canParse(url)) {
    throw new ConfigError("the database must be a postgres:// or postgresql:// connection string");
  }
  return { url, pooled: isTransactionPooler(url) };
}

/**
 * The refusal for an Upstash URL without its token (or the reverse), in the naming convention the user wrote:
 * Vercel's integration sets KV_REST_API_*, an Upstash database of one's own UPSTASH_REDIS_REST_*.
 */
function halfSetKvMessage(e: RawEnv): string {
  const pairs = [
    ["KV_REST_API_URL", e.KV_REST_API_URL, "KV_REST_API_TOKEN", e.KV_REST_API_TOKEN],
    ["UPSTASH_REDIS_REST_URL", e.UPSTASH_REDIS_REST_URL, "UPSTASH_REDIS_REST_TOKEN", e.UPSTASH_REDIS_REST_TOKEN],
  ] as const;
  for (const [urlName, url, tokenName, token] of pairs) {
    if (url && !token) return `${tokenName} must be set with ${urlName} (the Upstash REST URL and token go together)`;
    if (token && !url) return `${urlName} must be set with ${tokenName} (the Upstash REST URL and token go together)`;
  }
  return "KV_REST_API_URL and KV_REST_API_TOKEN must be set together";
}

/** The variable a user set for the active store and KV, to name in a start-up refusal or in health. */
export function adapterVariables(
  config: Pick<Config, "store" | "kv">,
  source = process.env,
): { store: string; kv: string } {
  const store = { supabase: "SUPABASE_URL", postgres: "DATABASE_URL", pglite: "PGLITE_DIR" }[config.store.kind];
  const upstash = source.KV_REST_API_URL?.trim() ? "KV_REST_API_URL" : "UPSTASH_REDIS_REST_URL";
  const kv = { upstash, redis: "REDIS_URL", memory: "KV_REST_API_URL" }[config.kv.kind];
  return { store, kv };
}
