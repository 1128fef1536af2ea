import type { Config } from "@/lib/env";
import { declareCliProcess, startupProblems } from "@/lib/env";
import { type AppError, toAppError } from "@/lib/errors";
import { createLogger, type Logger, stderrSink } from "@/lib/log";
import { buildServices, getConfig, type Services } from "@/lib/services";
import { PgliteInUseError } from "@/lib/store/sql";

/** What the two CLIs share: argument parsing, exit codes (0 done, 2 permanent failure, 1 transient). */

export interface CliArgs {
  url: string;
  json: boolean;
  force: boolean;
}

export function parseArgs(argv: string[], usage: string): CliArgs {
  const flags = new Set(argv.filter((a) => a.startsWith("--")));
  const positional = argv.filter((a) => !a.startsWith("--"));
  const unknown = [...flags].filter((f) => !["--json", "--force", "--help"].includes(f));
  if (flags.has("--help") || positional.length !== 1 || unknown.length > 0) {
    process.stderr.write(`${usage}\n`);
    process.exit(flags.has("--help") ? 0 : 2);
  }
  return { url: positional[0] ?? "", json: flags.has("--json"), force: flags.has("--force") };
}

export function exitCodeFor(error: AppError): 1 | 2 {
  return error.retriable ? 1 : 2;
}

export function fail(error: unknown, json: boolean): never {
  const appError = toAppError(error);
  const { reason, message } = appError.toPublic();
  if (json) process.stdout.write(`${JSON.stringify({ status: "failed", reason, message })}\n`);
  else process.stderr.write(`✗ ${reason}: ${message}\n`);
  process.exit(exitCodeFor(appError));
}

/**
 * Before any work: a malformed or (in production) unsafe configuration stops the CLI with one line per variable,
 * exit 2, the same rules the server applies at start.
 */
export function checkStartup(scope: "cli" | "extract"): void {
  declareCliProcess(scope);
  const problems = startupProblems(undefined, scope);
  if (problems.length === 0) return;
  for (const p of problems) process.stderr.write(`refusing to start: ${p.variable}: ${p.message}\n`);
  process.exit(2);
}

/** Log lines go to stderr: a CLI's stdout is its result. */
export function cliLogger(): Logger {
  return createLogger({ level: getConfig().logLevel, sink: stderrSink });
}

/** The CLI's services; a PGlite folder another process has open (`npm run dev`) stops it with that process named. */
export async function cliServices(config: Config): Promise<Services> {
  try {
    return await buildServices(config, cliLogger());
  } catch (error) {
    if (!(error instanceof PgliteInUseError)) throw error;
    process.stderr.write(`✗ ${error.message}\n`);
    process.exit(1);
  }
}
