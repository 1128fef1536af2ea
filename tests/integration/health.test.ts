import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET } from "@/app/api/health/route";
import { parseConfig } from "@/lib/env";
import { createProgressKv } from "@/lib/progress";
import { buildServices, type Services } from "@/lib/services";
import { REDIS_URL, serviceAvailable } from "../helpers/services";
import { startUpstashBridge, type UpstashBridge } from "../helpers/upstash-bridge";

const redisUp = await serviceAvailable("redis");
const shared = globalThis as typeof globalThis & { __articleSummarizerServices?: Promise<Services> };

/** The real health route, with the process's services built from an Upstash configuration (the loopback bridge). */
describe.skipIf(!redisUp)("GET /api/health on Upstash", () => {
  let bridge: UpstashBridge;
  let dir: string;
  let services: Services;
  beforeAll(async () => {
    bridge = await startUpstashBridge(REDIS_URL);
    dir = mkdtempSync(path.join(os.tmpdir(), "as-health-"));
    const config = parseConfig({
      KV_REST_API_URL: bridge.url,
      KV_REST_API_TOKEN: bridge.token,
      PGLITE_DIR: dir,
      PIPELINE_RUNNER: "inline",
    });
    services = await buildServices(config);
  });
  afterAll(async () => {
    shared.__articleSummarizerServices = undefined;
    await services?.store.close();
    await bridge?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const kvHealth = async (with_: Services) => {
    shared.__articleSummarizerServices = Promise.resolve(with_);
    const body = (await (await GET()).json()) as { kv: unknown };
    return body.kv;
  };

  it("says the relay is woken by push while the REST subscription works, and by polling when it does not", async () => {
    expect(await kvHealth(services)).toEqual({ adapter: "upstash", ok: true, live: "push" });
    bridge.refuseSubscribe = true;
    // A fresh instance (as a new serverless instance would be) finds out on its first check.
    const fresh = { ...services, kv: createProgressKv(services.config.kv) };
    expect(await kvHealth(fresh)).toEqual({ adapter: "upstash", ok: true, live: "poll" });
  });
});
