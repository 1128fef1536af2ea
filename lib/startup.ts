import { adapterVariables, type Config, REQUIRED_NODE_MAJOR, startupProblems } from "./env";
import { createProgressKv } from "./progress";
import { getConfig, getLogger, getServices } from "./services";
import { createPostgresExecutor } from "./store/sql";
import { createSupabaseStore } from "./store/supabase-store";

/**
 * What stops the server at start, one line each: an old Node (its dependencies fail later with errors that do not
 * mention the version) and every refused setting, named by variable. Empty means start.
 */
export function serverStartupRefusals(): string[] {
  const lines: string[] = [];
  const major = Number(process.versions.node.split(".")[0]);
  if (major < REQUIRED_NODE_MAJOR) {
    lines.push(
      `article-summarizer needs Node.js ${REQUIRED_NODE_MAJOR} (this is ${process.versions.node}): nvm install ${REQUIRED_NODE_MAJOR}`,
    );
  }
  for (const problem of startupProblems()) lines.push(`refusing to start: ${problem.variable}: ${problem.message}`);
  return lines;
}

/** Prints the refusals and exits non-zero, or returns when the server may start. */
export function refuseBadStartup(): void {
  const lines = serverStartupRefusals();
  if (lines.length === 0) return;
  for (const line of lines) process.stderr.write(`${line}\n`);
  process.exit(1);
}

/** How long start-up waits for the database and the KV to answer before refusing. */
export const STARTUP_PROBE_MS = 5_000;

export interface UnreachableService {
  adapter: "store" | "kv";
  kind: string;
  /** The variable the user set for it (DATABASE_URL, SUPABASE_URL, REDIS_URL, KV_REST_API_URL…). */
  variable: string;
  error: unknown;
}

function within<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

async function probeStore(config: Config, ms: number): Promise<void> {
  const store = config.store;
  if (store.kind === "pglite") return;
  if (store.kind === "supabase") {
    await within(createSupabaseStore(store.url, store.serviceRoleKey).ping(), ms);
    return;
  }
  const db = createPostgresExecutor(store.url, {
    pooled: store.pooled,
    poolMax: 1,
    connectTimeoutSeconds: Math.ceil(ms / 1000),
  });
  try {
    await within(db.query("select 1"), ms);
  } finally {
    // A connection that never opened has nothing to end; closing must not hide the probe's own error.
    await db.close().catch((error: unknown) => getLogger().debug("start-up probe: close failed", { error }));
  }
}

async function probeKv(config: Config, ms: number): Promise<void> {
  if (config.kv.kind === "memory") return;
  const kv = createProgressKv(config.kv);
  try {
    if (!(await within(kv.ping(), ms))) throw new Error("PING was not answered with PONG");
  } finally {
    await kv.close().catch((error: unknown) => getLogger().debug("start-up probe: close failed", { error }));
  }
}

/** The configured database and KV that do not answer within `ms` (both probed at once); empty when both do. */
export async function unreachableServices(config: Config, ms = STARTUP_PROBE_MS): Promise<UnreachableService[]> {
  const variables = adapterVariables(config);
  const probes = [
    { adapter: "store" as const, kind: config.store.kind, variable: variables.store, run: probeStore(config, ms) },
    { adapter: "kv" as const, kind: config.kv.kind, variable: variables.kv, run: probeKv(config, ms) },
  ];
  const failed: UnreachableService[] = [];
  for (const probe of probes) {
    try {
      await probe.run;
    } catch (error) {
      failed.push({ adapter: probe.adapter, kind: probe.kind, variable: probe.variable, error });
    }
  }
  return failed;
}

/** An error's message followed by its causes' (an AppError's own message often only says which step failed). */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error; e !== undefined && parts.length < 4; e = e instanceof Error ? e.cause : undefined) {
    parts.push(e instanceof Error ? e.message : String(e));
  }
  return parts.join(": ");
}

export function unreachableLine(problem: UnreachableService): string {
  const what = problem.adapter === "store" ? "the database" : "the KV";
  return `refusing to start: ${problem.variable}: cannot reach ${what} (${problem.kind}): ${describeError(problem.error)}`;
}

// The standalone entry (scripts/standalone-entry.mjs) holds Next.js's "Ready" line until this is called.
const startupGate = globalThis as typeof globalThis & { __articleSummarizerStartupPassed?: () => void };

/**
 * A server that cannot reach its database or KV stops here, one line per variable, exit 1. Then the adapters are
 * built (migrations applied, an inline server's cron and abandoned jobs picked up) before the first request. On
 * Vercel an instance only logs: each invocation is its own start, and health names what fails.
 */
export async function refuseUnreachableServices(): Promise<void> {
  const config = getConfig();
  const unreachable = await unreachableServices(config);
  if (unreachable.length > 0 && !config.vercel) {
    for (const problem of unreachable) process.stderr.write(`${unreachableLine(problem)}\n`);
    process.exit(1);
  }
  for (const problem of unreachable) {
    getLogger().error("cannot reach a configured service", {
      adapter: problem.adapter,
      variable: problem.variable,
      error: problem.error,
    });
  }
  if (config.production && !config.vercel) {
    try {
      await getServices();
    } catch (error) {
      process.stderr.write(`refusing to start: ${adapterVariables(config).store}: ${describeError(error)}\n`);
      process.exit(1);
    }
  }
  startupGate.__articleSummarizerStartupPassed?.();
}
