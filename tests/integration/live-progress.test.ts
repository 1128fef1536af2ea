import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { EventSource } from "eventsource";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSummarizer } from "@/lib/ai";
import { parseConfig } from "@/lib/env";
import { createInlineRunner } from "@/lib/jobs/inline-runner";
import { submitJob } from "@/lib/jobs/service";
import { createSafeFetch } from "@/lib/net/safe-fetch";
import { createProgressKv } from "@/lib/progress";
import { EVENT_TYPES, isTerminal, type ProgressEvent } from "@/lib/progress/events";
import type { ProgressKv } from "@/lib/progress/kv";
import { createEventStream, parseLastEventId, SSE_HEADERS } from "@/lib/progress/relay";
import { pipelineDeps } from "@/lib/services";
import { createStore } from "@/lib/store";
import type { Store } from "@/lib/store/store";
import { startFakeOpenAI } from "../helpers/fake-openai";
import { type FixtureServer, SITE_DIR, startFixtureServer } from "../helpers/fixture-server";
import { quietLogger, testReader } from "../helpers/pipeline-fixtures";
import { REDIS_URL, serviceAvailable } from "../helpers/services";

const redisUp = await serviceAvailable("redis");

/**
 * The seed's bug, as a test: progress used to reach the browser all at once, at the end of the job.
 * Here the writer (inline runner) and the reader (SSE relay) share only Redis, and an independent
 * EventSource client must see summarize start while the job is still running.
 */
describe.skipIf(!redisUp)("progress reaches an SSE client while the job runs", () => {
  let site: FixtureServer;
  let llm: Awaited<ReturnType<typeof startFakeOpenAI>>;
  let store: Store;
  let writerKv: ProgressKv;
  let readerKv: ProgressKv;
  let relay: http.Server;
  let relayOrigin: string;
  let dataDir: string;

  beforeAll(async () => {
    site = await startFixtureServer(SITE_DIR);
    llm = await startFakeOpenAI({ latencyMs: 1_000 });
    dataDir = mkdtempSync(path.join(os.tmpdir(), "as-live-"));
    store = await createStore({ kind: "pglite", dir: path.join(dataDir, "db") });
    writerKv = createProgressKv({ kind: "redis", url: REDIS_URL });
    readerKv = createProgressKv({ kind: "redis", url: REDIS_URL });
    relay = http.createServer(async (req, res) => {
      const request = new Request(`http://relay${req.url}`, { headers: req.headers as Record<string, string> });
      const jobId = new URL(request.url).pathname.split("/")[2] ?? "";
      const controller = new AbortController();
      req.on("close", () => controller.abort());
      res.writeHead(200, SSE_HEADERS);
      const stream = createEventStream({
        kv: readerKv,
        jobId,
        after: parseLastEventId(request),
        signal: controller.signal,
      });
      for await (const chunk of stream) res.write(chunk);
      res.end();
    });
    await new Promise<void>((resolve) => relay.listen(0, "127.0.0.1", resolve));
    relayOrigin = `http://127.0.0.1:${(relay.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    relay?.closeAllConnections();
    relay?.close();
    await site?.close();
    await llm?.close();
    await writerKv?.close();
    await readerKv?.close();
    await store?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("delivers step.started for summarize before the job completes", async () => {
    const config = parseConfig({
      FETCH_ALLOWLIST: site.hostPort,
      OPENAI_API_KEY: "sk-fake",
      OPENAI_BASE_URL: llm.url,
      PIPELINE_RUNNER: "inline",
    });
    const base = {
      config,
      store,
      kv: writerKv,
      fetch: createSafeFetch({ allowlist: config.fetchAllowlist }),
      summarizer: createSummarizer(config.llm),
      reader: testReader,
      now: Date.now,
      logger: quietLogger,
    };
    const runner = createInlineRunner(async (jobId) => pipelineDeps(base, jobId));
    const { jobId } = await submitJob({ url: `${site.origin}/article.html`, force: true }, { ...base, runner });

    const received: { event: ProgressEvent; receivedAt: number }[] = [];
    await new Promise<void>((resolve, reject) => {
      const source = new EventSource(`${relayOrigin}/jobs/${jobId}/events`);
      const onEvent = (message: MessageEvent<string>) => {
        const event = JSON.parse(message.data) as ProgressEvent;
        received.push({ event, receivedAt: Date.now() });
        if (isTerminal(event.type)) {
          source.close();
          resolve();
        }
      };
      for (const type of EVENT_TYPES) source.addEventListener(type, onEvent);
      setTimeout(() => reject(new Error("no terminal event within 30 s")), 30_000);
    });
    await runner.wait(jobId);

    const completed = received.find((r) => r.event.type === "job.completed");
    const summarizeStarted = received.find((r) => r.event.type === "step.started" && r.event.step === "summarize");
    expect(completed).toBeDefined();
    expect(summarizeStarted).toBeDefined();
    // Received while the 1 s LLM call was still running, not in a burst at the end.
    expect(summarizeStarted?.receivedAt).toBeLessThan(completed?.event.at ?? 0);
    expect(received.map((r) => r.event.seq)).toEqual(received.map((_, i) => i + 1));
  });
});
