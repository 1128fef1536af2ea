import { parseArgs as parseNodeArgs } from "node:util";
import { pollDue, pollMany } from "@/lib/feeds/poll";
import type { InlineRunner } from "@/lib/jobs/inline-runner";
import { buildServices, getConfig } from "@/lib/services";
import { checkStartup, cliLogger, fail } from "./cli";

const USAGE = `usage:
  npm run feeds:poll [-- --all] [--no-wait]   one pass over the subscriptions that are due (--all: every one not paused);
                                              inline, waits for the jobs it started unless --no-wait`;

/** One polling pass from a shell, with the app's configured store, KV and runner. One JSON line on stdout. */
async function main(): Promise<void> {
  const { values } = parseNodeArgs({
    args: process.argv.slice(2),
    options: {
      all: { type: "boolean", default: false },
      "no-wait": { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stderr.write(`${USAGE}\n`);
    process.exit(0);
  }
  checkStartup("cli");
  const services = await buildServices(getConfig(), cliLogger());
  try {
    const started = Date.now();
    const reports = values.all
      ? await pollMany(
          (await services.store.listSubscriptions()).filter((s) => !s.paused),
          services,
        )
      : await pollDue(services);
    const jobs = reports.flatMap((r) => r.jobs);
    if (services.runner.kind === "inline" && !values["no-wait"]) {
      await Promise.all(jobs.map((id) => (services.runner as InlineRunner).wait(id)));
    }
    process.stdout.write(
      `${JSON.stringify({
        polled: reports.length,
        found: reports.reduce((n, r) => n + r.found, 0),
        added: reports.reduce((n, r) => n + r.added, 0),
        jobs,
        errors: reports.filter((r) => r.outcome === "error").length,
        ms: Date.now() - started,
      })}\n`,
    );
    await services.store.close();
    process.exit(0);
  } catch (error) {
    await services.store.close().catch(() => undefined);
    fail(error, true);
  }
}

await main();
