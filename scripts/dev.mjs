#!/usr/bin/env node
// `npm run dev`: Next.js, plus the Inngest Dev Server where the internet allows fetching it.
// Without it (offline machines), jobs run inline in the Next.js process: same pipeline, no durability.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";

const INNGEST_URL = "http://127.0.0.1:8288";
const children = [];

async function devServerAnswers() {
  try {
    const response = await fetch(INNGEST_URL, { signal: AbortSignal.timeout(500) });
    return response.status < 500;
  } catch {
    return false;
  }
}

// inngest-cli's install downloads its binary from here (then GitHub): when this host does not answer, `npx
// inngest-cli` spends ~8 s failing, so development starts inline at once instead.
const CLI_HOST = "https://cli.inngest.com";

async function cliFetchable() {
  try {
    await fetch(CLI_HOST, { method: "HEAD", signal: AbortSignal.timeout(1_500) });
    return true;
  } catch {
    return false;
  }
}

async function startInngest() {
  if (process.env.PIPELINE_RUNNER === "inline" || process.env.INNGEST_EVENT_KEY) return false;
  const [running, fetchable] = await Promise.all([devServerAnswers(), cliFetchable()]);
  if (running) return true;
  if (!fetchable) {
    console.log(`Inngest Dev Server: not running, and ${CLI_HOST} does not answer (offline?), so not fetched.`);
    return false;
  }
  const child = spawn(
    "npx",
    ["--yes", "inngest-cli@latest", "dev", "-u", "http://127.0.0.1:3000/api/inngest", "--no-discovery"],
    {
      stdio: ["ignore", "ignore", "ignore"],
    },
  );
  child.on("error", () => undefined);
  children.push(child);
  for (let i = 0; i < 60; i++) {
    if (child.exitCode !== null) return false;
    if (await devServerAnswers()) return true;
    await new Promise((r) => setTimeout(r, 500));
  }
  child.kill();
  return false;
}

const withInngest = await startInngest();
const env = { ...process.env };
if (withInngest) {
  env.INNGEST_DEV = env.INNGEST_DEV ?? INNGEST_URL;
  console.log(`Inngest Dev Server: ${INNGEST_URL}`);
} else if (!env.PIPELINE_RUNNER && !env.INNGEST_EVENT_KEY) {
  env.PIPELINE_RUNNER = "inline";
  console.log("Inngest Dev Server unavailable (offline?): jobs run inline in the Next.js process.");
}
// Loopback only: development may run open (no password) and, with the Dev Server, without request signatures.
const args = process.argv.slice(2);
const hostGiven = args.some((a) => a === "-H" || a === "--hostname" || a.startsWith("--hostname="));
// Next's own bin with this Node, not `npx next`: npx costs a second or more resolving what is already installed.
const nextBin = createRequire(import.meta.url).resolve("next/dist/bin/next");
const next = spawn(process.execPath, [nextBin, "dev", ...(hostGiven ? [] : ["-H", "127.0.0.1"]), ...args], {
  stdio: "inherit",
  env,
});
children.push(next);
const stop = () => {
  for (const child of children) child.kill("SIGTERM");
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
next.on("exit", (code) => {
  stop();
  process.exit(code ?? 0);
});
