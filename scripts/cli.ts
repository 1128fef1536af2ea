import { type AppError, toAppError } from "@/lib/errors";

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
