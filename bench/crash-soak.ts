import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { createRedisKv } from "@/lib/progress/redis-kv";
import { freePort, freshDatabase, ROOT, waitForHttp } from "../tests/helpers/app-server";
import { startFakeOpenAI } from "../tests/helpers/fake-openai";
import { SITE_DIR, startFixtureServer } from "../tests/helpers/fixture-server";
import { CHILD_ENV, REDIS_URL } from "../tests/helpers/services";

/**
 * Crash soak (issue 22): 12 jobs in flight on a real server process (bench/soak-server.ts: the app's services, inline
 * runner, sweep and inline cron) against PostgreSQL, Redis and a fake LLM that takes LLM_MS per call.
 *
 *   kill   SIGKILL the server's whole process group while summaries are in flight, start a new server at once.
 *   pause  SIGSTOP the server's group past its lease, start a second server (it takes the jobs over), then SIGCONT
 *          the first: its in-flight calls return and every write it tries is refused.
 *
 * Prints JSON: time until every job completed, LLM calls against the 12 needed and the calls in flight at the
 * signal, articles saved, whether every job's event stream is consecutive and ends at its one job.completed, and the
 * stale writes the paused server logged as refused. `npm run bench:crash-soak`
 */

const JOBS = 12;
const LLM_MS = 4_000;
const LEASE_SECONDS = 3;

const site = mkdtempSync(path.join(os.tmpdir(), "as-soak-"));
const template = readFileSync(path.join(SITE_DIR, "article.html"), "utf8");
// Distinct text per page: the summary cache (content hash) must not let one job reuse another's summary.
for (let i = 0; i < JOBS * 2; i++) {
  const marker = `<p>Soak page ${i}: the town council met on day ${i} to discuss the library's budget for year ${2000 + i}.</p>`;
  const page = template.replace("</h1>", `</h1>${marker}`).replace("/stories/small-town-libraries", `/soak-${i}.html`);
  writeFileSync(path.join(site, `soak-${i}.html`), page);
}
const fixtures = await startFixtureServer(site);
const llm = await startFakeOpenAI({ latencyMs: LLM_MS });
const chatCalls = () => llm.requests.filter((r) => r.path.endsWith("/chat/completions")).length;

interface Server {
  child: ChildProcess;
  url: string;
  log: () => string;
}

async function startServer(databaseUrl: string): Promise<Server> {
  const port = await freePort();
  let log = "";
  const child = spawn(path.join(ROOT, "node_modules/.bin/tsx"), ["bench/soak-server.ts", String(port)], {
    cwd: ROOT,
    env: {
      ...CHILD_ENV,
      NODE_ENV: "development",
      DATABASE_URL: databaseUrl,
      REDIS_URL,
      PIPELINE_RUNNER: "inline",
      OPENAI_API_KEY: "sk-soak",
      OPENAI_BASE_URL: llm.url,
      FETCH_ALLOWLIST: fixtures.hostPort,
      INLINE_LEASE_SECONDS: String(LEASE_SECONDS),
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group: tsx runs the server in a child node process; a signal to the group reaches both.
    detached: true,
  });
  child.stdout?.on("data", (chunk: Buffer) => {
    log += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    log += chunk.toString();
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/`, 120_000, () => true);
  return { child, url, log: () => log };
}

const signalGroup = (server: Server, signal: NodeJS.Signals) => process.kill(-(server.child.pid ?? 0), signal);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function scenario(name: "kill" | "pause", offset: number) {
  const database = await freshDatabase();
  const db = postgres(database.url, { max: 1, onnotice: () => undefined });
  const kv = createRedisKv(REDIS_URL);
  const callsBefore = chatCalls();
  const first = await startServer(database.url);
  const jobIds: string[] = [];
  for (let i = 0; i < JOBS; i++) {
    const response = await fetch(`${first.url}/jobs`, {
      method: "POST",
      body: JSON.stringify({ url: `${fixtures.origin}/soak-${offset + i}.html` }),
    });
    jobIds.push(((await response.json()) as { jobId: string }).jobId);
  }
  // Signal while summaries are in flight: at least a third of the jobs have asked the LLM.
  for (let i = 0; i < 1_200 && chatCalls() - callsBefore < JOBS / 3; i++) await sleep(100);
  const summarized = async () =>
    Number((await db<{ n: string }[]>`select count(*) as n from job_steps where step_id = 'summarize'`)[0]?.n ?? 0);
  const callsAtSignal = chatCalls() - callsBefore;
  const inFlightAtSignal = callsAtSignal - (await summarized());
  let second: Server;
  let t0: number;
  if (name === "kill") {
    signalGroup(first, "SIGKILL");
    t0 = Date.now();
    second = await startServer(database.url);
  } else {
    signalGroup(first, "SIGSTOP");
    t0 = Date.now();
    second = await startServer(database.url);
    // Until the second server took every unfinished job over (its sweep runs after the leases ran out).
    for (let i = 0; i < 1_200; i++) {
      const [row] = await db<{ n: string }[]>`
        select count(*) as n from jobs where status in ('queued', 'running') and lease_takeovers = 0`;
      if (Number(row?.n ?? 0) === 0) break;
      await sleep(250);
    }
    signalGroup(first, "SIGCONT");
  }
  for (let i = 0; i < 2_400; i++) {
    const [row] = await db<{ n: string }[]>`select count(*) as n from jobs where status <> 'completed'`;
    if (Number(row?.n ?? 1) === 0) break;
    await sleep(250);
  }
  const allDoneMs = Date.now() - t0;
  // The paused server has had its chance to write what it was doing.
  await sleep(name === "pause" ? LLM_MS + 2_000 : 0);
  const statuses = await db<{ status: string; n: string }[]>`select status, count(*) as n from jobs group by status`;
  const [articles] = await db<{ n: string }[]>`select count(*) as n from articles`;
  const streams = await Promise.all(
    jobIds.map(async (jobId) => {
      const events = await kv.readAfter(jobId, 0, 1_000);
      const consecutive = events.every((e, i) => e.seq === i + 1);
      const completed = events.filter((e) => e.type === "job.completed").length;
      return { consecutive, endsCompleted: events.at(-1)?.type === "job.completed" && completed === 1 };
    }),
  );
  const refused = [first.log(), second.log()].join("").split("stale write refused").length - 1;
  const logs = path.join(os.tmpdir(), `crash-soak-${name}-${Date.now()}.log`);
  writeFileSync(logs, `--- first server\n${first.log()}\n--- second server\n${second.log()}`);
  signalGroup(second, "SIGKILL");
  if (name === "pause") signalGroup(first, "SIGKILL");
  await kv.close();
  await db.end();
  await database.drop();
  return {
    scenario: name,
    jobs: JOBS,
    llmMsPerCall: LLM_MS,
    leaseSeconds: LEASE_SECONDS,
    allCompletedMsAfterSignal: allDoneMs,
    llmCalls: chatCalls() - callsBefore,
    llmCallsNeeded: JOBS,
    llmCallsAtSignal: callsAtSignal,
    llmCallsInFlightAtSignal: inFlightAtSignal,
    statuses: Object.fromEntries(statuses.map((s) => [s.status, Number(s.n)])),
    articlesSaved: Number(articles?.n ?? 0),
    streamsConsecutive: streams.filter((s) => s.consecutive).length,
    streamsEndingAtOneJobCompleted: streams.filter((s) => s.endsCompleted).length,
    staleWritesRefusedLogged: refused,
    logs,
  };
}

try {
  const kill = await scenario("kill", 0);
  const pause = await scenario("pause", JOBS);
  console.log(JSON.stringify({ loadAverage: os.loadavg(), results: [kill, pause] }, null, 2));
} finally {
  await llm.close();
  await fixtures.close();
  rmSync(site, { recursive: true, force: true });
}
