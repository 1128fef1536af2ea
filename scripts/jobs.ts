import { parseArgs as parseNodeArgs } from "node:util";
import { FAILURE_REASONS, failureReasonSchema } from "@/lib/errors";
import type { InlineRunner } from "@/lib/jobs/inline-runner";
import { trimOldJobs } from "@/lib/jobs/retention";
import { retryJob } from "@/lib/jobs/service";
import { getConfig } from "@/lib/services";
import { checkStartup, cliServices, fail } from "./cli";

const USAGE = `usage:
  npm run jobs:retry -- --reason <reason> [--limit N] [--dry-run] [--include-dismissed]
                                                                     re-enqueue failed jobs that failed for <reason>
                                                                     (jobs dismissed in the failure inbox only with --include-dismissed)
  npm run jobs:trim [-- --days N]                                    delete finished jobs (and their progress logs) older than N days (default RETENTION_DAYS)
reasons: ${FAILURE_REASONS.join(", ")}`;

/** Operations on the job table, with the app's configured store, KV and runner. One JSON line of results on stdout. */
async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  const { values } = parseNodeArgs({
    args: rest,
    options: {
      reason: { type: "string" },
      limit: { type: "string", default: "200" },
      days: { type: "string" },
      "dry-run": { type: "boolean", default: false },
      "include-dismissed": { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.help || (command !== "retry" && command !== "trim")) {
    process.stderr.write(`${USAGE}\n`);
    process.exit(values.help ? 0 : 2);
  }
  checkStartup("cli");
  const services = await cliServices(getConfig());
  try {
    if (command === "trim") {
      const days = values.days === undefined ? services.config.retentionDays : Number(values.days);
      if (!Number.isInteger(days) || days < 1) usage("--days must be a whole number of days, at least 1");
      process.stdout.write(`${JSON.stringify(await trimOldJobs(services, days))}\n`);
    } else {
      const reason = failureReasonSchema.safeParse(values.reason);
      if (!reason.success) usage("--reason must be one of the failure reasons");
      const limit = Number(values.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1_000) usage("--limit must be between 1 and 1000");
      // A dismissed job is one an operator has looked at and set aside: a bulk retry leaves it alone unless asked.
      const dismissed = values["include-dismissed"] ? undefined : false;
      const failed = (await services.store.listJobs({ status: "failed", dismissed, limit: 1_000 }))
        .filter((job) => job.reason === reason.data)
        .slice(0, limit);
      const retried: string[] = [];
      if (!values["dry-run"]) {
        for (const job of failed) {
          await retryJob(job.id, services);
          retried.push(job.id);
          process.stderr.write(`re-enqueued ${job.id} ${job.url}\n`);
        }
        // Inline, the work runs in this process: wait for it, then report where each job ended.
        if (services.runner.kind === "inline") {
          await Promise.all(retried.map((id) => (services.runner as InlineRunner).wait(id)));
        }
      }
      const outcomes = await Promise.all(
        (values["dry-run"] ? failed.map((j) => j.id) : retried).map(async (id) => {
          const job = await services.store.getJob(id);
          return { jobId: id, url: job?.url, status: job?.status, reason: job?.reason };
        }),
      );
      process.stdout.write(
        `${JSON.stringify({ reason: reason.data, runner: services.runner.kind, dryRun: values["dry-run"], jobs: outcomes })}\n`,
      );
    }
    await services.store.close();
    process.exit(0);
  } catch (error) {
    await services.store.close().catch(() => undefined);
    fail(error, true);
  }
}

function usage(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

await main();
