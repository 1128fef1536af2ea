import { articleToMarkdown } from "@/lib/articles/markdown";
import { AppError } from "@/lib/errors";
import type { InlineRunner } from "@/lib/jobs/inline-runner";
import { reclaimIfAbandoned, submitJob } from "@/lib/jobs/service";
import { isTerminal, type ProgressEvent, STEP_NAMES } from "@/lib/progress/events";
import type { ProgressKv } from "@/lib/progress/kv";
import { getConfig, type Services } from "@/lib/services";
import { applyEvents, emptyJobView, type JobView, type StageState, stageDurationMs } from "@/lib/ui/job-view";
import { checkStartup, cliServices, fail, parseArgs } from "./cli";

const USAGE = "usage: npm run summarize -- <url> [--json] [--force]";
const STAGE_ICON: Record<StageState, string> = {
  pending: "·",
  running: "▸",
  done: "✓",
  reused: "↺",
  skipped: "–",
  failed: "✗",
  not_run: "–",
};

/** The whole pipeline, inline in this process, with a progress line per stage on a terminal. */
async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), USAGE);
  checkStartup("cli");
  const services = await cliServices({ ...getConfig(), runner: "inline" });
  try {
    const submitted = await submitJob({ url: args.url, force: args.force }, services);
    const display = process.stderr.isTTY ? new StageDisplay() : undefined;
    const follow = followProgress(services.kv, submitted.jobId, (view) => display?.render(view));
    await untilSettled(submitted.jobId, services);
    // The log's last events, when this process wrote them (a job run elsewhere may log to another process's memory).
    await Promise.race([follow, new Promise((resolve) => setTimeout(resolve, 1_000))]);

    const job = await services.store.getJob(submitted.jobId);
    if (job?.status !== "completed" || !job.articleId) {
      throw new AppError(job?.reason ?? "internal", job?.message ?? "The job did not complete", {
        retriable: job?.reason ? await failedRetriable(services.kv, submitted.jobId) : true,
      });
    }
    const article = await services.store.getArticle(job.articleId);
    if (!article) throw new AppError("storage_failed", "The article was not found after saving");
    process.stdout.write(
      args.json ? `${JSON.stringify({ status: "completed", article })}\n` : articleToMarkdown(article),
    );
    await services.store.close();
    process.exit(0);
  } catch (error) {
    await services.store.close().catch(() => undefined);
    fail(error, args.json);
  }
}

/**
 * Waits on the job itself (the store), not only on this process's run: a job another process runs is waited for,
 * and taken over here once its runner stops renewing its lease. The CLI never waits on a job nobody runs.
 */
async function untilSettled(jobId: string, services: Services): Promise<void> {
  const runner = services.runner as InlineRunner;
  for (;;) {
    await runner.wait(jobId);
    const job = await services.store.getJob(jobId);
    if (!job || job.status === "completed" || job.status === "failed" || job.status === "cancelled") return;
    if (!runner.isRunning(jobId)) await reclaimIfAbandoned(job, services);
    if (!runner.isRunning(jobId)) await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

/**
 * Whether the step that failed the job may succeed on a retry, as the step said (a 400 from the STT is a permanent
 * `transcription_failed`, though that reason is retriable by default); undefined: the reason's default.
 */
async function failedRetriable(kv: ProgressKv, jobId: string): Promise<boolean | undefined> {
  const events = await kv.readAfter(jobId, 0, 10_000);
  const failed = events.findLast((e) => e.type === "step.failed");
  const retriable = (failed?.data as { retriable?: unknown } | undefined)?.retriable;
  return typeof retriable === "boolean" ? retriable : undefined;
}

/** Reads the job's progress log (the same one the browser reads) until a terminal event. */
async function followProgress(kv: ProgressKv, jobId: string, onView: (view: JobView) => void): Promise<void> {
  let view = emptyJobView(jobId);
  for (;;) {
    const events: ProgressEvent[] = await kv.readAfter(jobId, view.lastSeq, 200);
    if (events.length > 0) {
      view = applyEvents(view, events);
      onView(view);
      if (events.some((e) => isTerminal(e.type))) return;
    } else {
      await kv.waitForEvents(jobId, view.lastSeq, 1_000);
    }
  }
}

/** One line per stage, redrawn in place: name, state, a bar while it reports progress, duration. */
class StageDisplay {
  private drawn = 0;

  render(view: JobView): void {
    const now = Date.now();
    const lines = view.stages.map((stage) => {
      const icon = STAGE_ICON[stage.state];
      const ms = stageDurationMs(stage, now);
      const bar = stage.progress ? ` ${progressBar(stage.progress.done, stage.progress.total)}` : "";
      return `${icon} ${stage.name.padEnd(10)} ${stage.state.padEnd(8)}${bar}${ms !== undefined ? ` ${(ms / 1000).toFixed(1)}s` : ""}`;
    });
    if (this.drawn > 0) process.stderr.write(`\x1b[${this.drawn}A`);
    process.stderr.write(`${lines.map((l) => `\x1b[2K${l}`).join("\n")}\n`);
    this.drawn = STEP_NAMES.length;
  }
}

function progressBar(done: number, total: number, width = 20): string {
  const filled = total > 0 ? Math.round((Math.min(done, total) / total) * width) : 0;
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${total}`;
}

void main();
