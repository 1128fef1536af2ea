import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createParser } from "eventsource-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET } from "@/app/api/jobs/[id]/events/route";
import { parseConfig } from "@/lib/env";
import type { ProgressEvent } from "@/lib/progress/events";
import { getServices, resetServicesForTesting, type Services } from "@/lib/services";
import { REDIS_URL, serviceAvailable } from "../helpers/services";

const redisUp = await serviceAvailable("redis");
const TOKEN = "route-test-token-0123456789abcdef0123456789";

/** The real route handler of GET /api/jobs/:id/events, on the process's services (Redis KV, PGlite store). */
describe.skipIf(!redisUp)("GET /api/jobs/:id/events (the route handler itself)", () => {
  let dir: string;
  let services: Services;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "as-events-route-"));
    resetServicesForTesting(
      parseConfig({ PGLITE_DIR: dir, REDIS_URL, ADMIN_TOKEN: TOKEN, PIPELINE_RUNNER: "inline", LOG_LEVEL: "error" }),
    );
    services = await getServices();
  });
  afterAll(async () => {
    await services?.store.close();
    resetServicesForTesting();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const call = (jobId: string, headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) =>
    GET(new Request(`http://localhost/api/jobs/${jobId}/events`, { headers }), {
      params: Promise.resolve({ id: jobId }),
    });

  async function frames(response: Response): Promise<{ id?: string; event?: string; data: string }[]> {
    const out: { id?: string; event?: string; data: string }[] = [];
    const parser = createParser({ onEvent: (e) => out.push({ id: e.id, event: e.event, data: e.data }) });
    const decoder = new TextDecoder();
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      parser.feed(decoder.decode(chunk, { stream: true }));
    }
    return out;
  }

  async function newJob(): Promise<string> {
    const id = `job_${randomUUID().slice(0, 12)}`;
    const url = `https://example.com/${id}`;
    await services.store.createJob({ id, url, canonicalUrl: url, force: false });
    return id;
  }

  const append = (jobId: string, type: ProgressEvent["type"]) => services.kv.append({ jobId, type, at: Date.now() });

  it("refuses a request without credentials and names an unknown job", async () => {
    const jobId = await newJob();
    expect((await call(jobId, {})).status).toBe(401);
    expect((await call(`job_${randomUUID().slice(0, 12)}`)).status).toBe(404);
  });

  it("streams SSE frames (id = seq, event = type), replays after Last-Event-ID, and ends at the latest run's terminal event", async () => {
    const jobId = await newJob();
    for (const type of ["job.queued", "step.started", "step.failed", "job.failed"] as const) await append(jobId, type);
    for (const type of ["job.queued", "step.started", "step.completed"] as const) await append(jobId, type);

    const live = call(jobId);
    const response = await live;
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    // The stream is open past the first run's job.failed; it ends only when the retry's terminal event arrives.
    setTimeout(() => void append(jobId, "job.completed"), 300);
    const all = await frames(response);
    expect(all.map((f) => f.event)).toEqual([
      "job.queued",
      "step.started",
      "step.failed",
      "job.failed",
      "job.queued",
      "step.started",
      "step.completed",
      "job.completed",
    ]);
    expect(all.map((f) => Number(f.id))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);

    const resumed = await frames(await call(jobId, { authorization: `Bearer ${TOKEN}`, "last-event-id": "6" }));
    expect(resumed.map((f) => f.id)).toEqual(["7", "8"]);
  });
});
