import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { monitorEventLoopDelay } from "node:perf_hooks";
import postgres from "postgres";
import { parseConfig } from "@/lib/env";
import { createInlineImportRunner } from "@/lib/import/inline";
import { parseImport } from "@/lib/import/parse";
import { createImport, DEFAULT_THROTTLE } from "@/lib/import/service";
import { buildServices } from "@/lib/services";

/**
 * npm run bench:import [-- <urls> [--window=<s>]] — a Pocket HTML export of 1,000 URLs over four loopback hosts
 * (127.0.0.1–4, one small article server each, 200 ms per page), imported into a fresh PostgreSQL database with the
 * inline runner and the real pipeline (fetch, extraction worker, offline summary): time to parse the upload, time
 * until every entry is a queued job, until every job is handed over and finished; peak RSS; the largest number of
 * requests each host saw at once and the most jobs running per host (what the per-host throttle promises); the event
 * loop's longest stall while the import was read and queued, and over the whole run. `--window=90` stops watching
 * 90 s after the jobs are queued (the jobs' throughput is the pipeline's, not the import's). Prints JSON.
 */
const URLS = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 1_000);
/** Seconds to watch the jobs run after they are all queued (0: until every job has finished). */
const WINDOW_S = Number(process.argv.find((a) => a.startsWith("--window="))?.slice(9) ?? 0);
const HOSTS = ["127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4"];
const PAGE_DELAY_MS = 200;
const POSTGRES_URL = process.argv.find((a) => a.startsWith("postgres://")) ?? "postgres://postgres@127.0.0.1:5432/test";
const DEADLINE_MS = 15 * 60_000;

const paragraph = (i: number, n: number) =>
  `<p>Story ${i}, part ${n}: the town council met on Tuesday to discuss the library's new opening hours, the budget ` +
  `for the coming year and a proposal to turn the old mill office into a reading room for students and retirees.</p>`;
const page = (i: number) =>
  `<!doctype html><html lang="en"><head><title>Story ${i}</title></head><body><article><h1>Story ${i}</h1>` +
  `${Array.from({ length: 8 }, (_, n) => paragraph(i, n)).join("")}</article></body></html>`;

/** One article server per loopback address; counts the requests each host has in flight. */
async function startSites() {
  const inFlight = new Map<string, number>();
  const maxInFlight = new Map<string, number>();
  let requests = 0;
  const servers: http.Server[] = [];
  let port = 0;
  for (const host of HOSTS) {
    const server = http.createServer((request, response) => {
      requests++;
      const key = request.headers.host ?? host;
      const now = (inFlight.get(key) ?? 0) + 1;
      inFlight.set(key, now);
      maxInFlight.set(key, Math.max(maxInFlight.get(key) ?? 0, now));
      setTimeout(() => {
        inFlight.set(key, (inFlight.get(key) ?? 1) - 1);
        const n = Number(/\/a\/(\d+)/.exec(request.url ?? "")?.[1] ?? 0);
        response.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(page(n));
      }, PAGE_DELAY_MS);
    });
    await new Promise<void>((resolve) => server.listen(port, host, resolve));
    port = (server.address() as AddressInfo).port;
    servers.push(server);
  }
  return {
    port,
    maxInFlight,
    requests: () => requests,
    close: () => Promise.all(servers.map((s) => new Promise((r) => s.close(r)))),
  };
}

function pocketExport(port: number): string {
  const items = Array.from({ length: URLS }, (_, i) => {
    const host = HOSTS[i % HOSTS.length];
    return `<li><a href="http://${host}:${port}/a/${i}" time_added="${1_600_000_000 + i * 3_600}" tags="bench,host${i % HOSTS.length}">Story ${i}</a></li>`;
  });
  const half = Math.floor(URLS * 0.8);
  return `<!DOCTYPE html><html><head><title>Pocket Export</title></head><body><h1>Unread</h1><ul>\n${items.slice(0, half).join("\n")}\n</ul><h1>Read Archive</h1><ul>\n${items.slice(half).join("\n")}\n</ul></body></html>`;
}

async function main() {
  const sites = await startSites();
  const admin = postgres(POSTGRES_URL, { max: 1, onnotice: () => undefined });
  const dbName = `as_bench_import_${randomUUID().replaceAll("-", "").slice(0, 10)}`;
  await admin.unsafe(`create database ${dbName}`);
  const dbUrl = new URL(POSTGRES_URL);
  dbUrl.pathname = `/${dbName}`;
  let peakRss = process.memoryUsage().rss;
  const rssTimer = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 50);
  const services = await buildServices(
    parseConfig({
      DATABASE_URL: dbUrl.toString(),
      PIPELINE_RUNNER: "inline",
      FETCH_ALLOWLIST: HOSTS.map((h) => `${h}:${sites.port}`).join(","),
      LOG_LEVEL: "error",
    }),
  );
  try {
    const file = new TextEncoder().encode(pocketExport(sites.port));
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const started = performance.now();
    // The upload as the route reads it: a stream in 64 KiB chunks.
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < file.length; i += 65_536) controller.enqueue(file.subarray(i, i + 65_536));
        controller.close();
      },
    });
    const parsed = await parseImport(body, { filename: "ril_export.html", contentType: "text/html" });
    const parsedMs = performance.now() - started;
    const runner = createInlineImportRunner(services, { throttle: DEFAULT_THROTTLE });
    const record = await createImport(parsed, "ril_export.html", services, async (id) => runner.start(id));
    const acceptedMs = performance.now() - started;
    let queuedMs: number | null = null;
    let handedOverMs: number | null = null;
    let finishedMs: number | null = null;
    let queueLoopMaxMs = 0;
    const maxRunningPerHost = new Map<string, number>();
    let report = await services.store.getImportReport(record.id);
    while (performance.now() - started < DEADLINE_MS) {
      report = await services.store.getImportReport(record.id);
      if (!report) throw new Error("the import vanished");
      const now = performance.now() - started;
      if (queuedMs === null && report.counts.pending === 0) {
        queuedMs = now;
        queueLoopMaxMs = loop.max / 1e6;
      }
      const running = new Map<string, number>();
      for (const job of await services.store.listJobs({ status: "running", limit: 200 })) {
        const host = new URL(job.url).host;
        running.set(host, (running.get(host) ?? 0) + 1);
      }
      for (const [host, n] of running) maxRunningPerHost.set(host, Math.max(maxRunningPerHost.get(host) ?? 0, n));
      if (handedOverMs === null && report.status === "completed") handedOverMs = now;
      const done = (report.jobs.completed ?? 0) + (report.jobs.failed ?? 0) + (report.jobs.cancelled ?? 0);
      if (done === report.counts.queued && report.status === "completed") {
        finishedMs = now;
        break;
      }
      if (WINDOW_S > 0 && queuedMs !== null && now - queuedMs > WINDOW_S * 1000) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    loop.disable();
    const round = (n: number | null) => (n === null ? null : Math.round(n));
    console.log(
      JSON.stringify(
        {
          urls: URLS,
          hosts: HOSTS.length,
          pageDelayMs: PAGE_DELAY_MS,
          throttle: { perHost: DEFAULT_THROTTLE.perHost, overall: DEFAULT_THROTTLE.overall },
          fileBytes: file.length,
          format: parsed.format,
          parseMs: round(parsedMs),
          acceptedMs: round(acceptedMs),
          allJobsQueuedMs: round(queuedMs),
          allJobsHandedOverMs: round(handedOverMs),
          allJobsFinishedMs: round(finishedMs),
          counts: report?.counts,
          jobs: report?.jobs,
          watchedMs: round(performance.now() - started),
          maxJobsRunningPerHost: Object.fromEntries(maxRunningPerHost),
          maxRequestsInFlightPerHost: Object.fromEntries(sites.maxInFlight),
          siteRequests: sites.requests(),
          peakRssMb: Math.round(peakRss / 1024 / 1024),
          eventLoopMaxDelayWhileQueuingMs: Math.round(queueLoopMaxMs),
          eventLoopMaxDelayMs: Math.round(loop.max / 1e6),
          eventLoopP99DelayMs: Math.round(loop.percentile(99) / 1e6),
        },
        null,
        2,
      ),
    );
    runner.halt();
  } finally {
    clearInterval(rssTimer);
    await services.reader.close();
    await services.store.close();
    await admin.unsafe(`drop database if exists ${dbName} with (force)`);
    await admin.end();
    await sites.close();
  }
}

await main();
process.exit(0);
