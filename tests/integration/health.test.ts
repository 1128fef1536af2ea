import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET } from "@/app/api/health/route";
import { type Config, parseConfig } from "@/lib/env";
import { getServices, resetServicesForTesting } from "@/lib/services";
import { REDIS_URL, serviceAvailable } from "../helpers/services";
import { startUpstashBridge, type UpstashBridge } from "../helpers/upstash-bridge";

const redisUp = await serviceAvailable("redis");

/** The real health route, with the process's services built from an Upstash configuration (the loopback bridge). */
describe.skipIf(!redisUp)("GET /api/health on Upstash", () => {
  let bridge: UpstashBridge;
  let dir: string;
  let config: Config;
  beforeAll(async () => {
    bridge = await startUpstashBridge(REDIS_URL);
    dir = mkdtempSync(path.join(os.tmpdir(), "as-health-"));
    config = parseConfig({
      KV_REST_API_URL: bridge.url,
      KV_REST_API_TOKEN: bridge.token,
      PGLITE_DIR: dir,
      PIPELINE_RUNNER: "inline",
    });
  });
  afterAll(async () => {
    resetServicesForTesting();
    await bridge?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A fresh process (as a new serverless instance would be) asks the health route. */
  const kvHealth = async () => {
    resetServicesForTesting(config);
    try {
      const body = (await (await GET(new Request("http://127.0.0.1:3000/api/health"))).json()) as { kv: unknown };
      return body.kv;
    } finally {
      await (await getServices()).store.close();
    }
  };

  it("says the relay is woken by push while the REST subscription works, and by polling when it does not", async () => {
    expect(await kvHealth()).toEqual({ adapter: "upstash", ok: true, live: "push" });
    bridge.refuseSubscribe = true;
    expect(await kvHealth()).toEqual({ adapter: "upstash", ok: true, live: "poll" });
    // Each call starts the services afresh, PGlite and its migrations included: tens of seconds on a loaded machine.
  }, 120_000);
});
