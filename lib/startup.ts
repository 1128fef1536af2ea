import { REQUIRED_NODE_MAJOR, startupProblems } from "./env";

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
