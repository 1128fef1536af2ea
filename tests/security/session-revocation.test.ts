import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SESSION_COOKIE } from "@/lib/auth/auth";
import { parseConfig } from "@/lib/env";
import { endSessions, newSessionCookie, requestIsAuthorized } from "@/lib/http/api";
import { createEventStream } from "@/lib/progress/relay";
import { getServices, resetServicesForTesting, type Services } from "@/lib/services";
import { REDIS_URL, serviceAvailable } from "../helpers/services";

const redisUp = await serviceAvailable("redis");
// A Redis database of this test's own: it is flushed, as a Redis restart or an Upstash eviction would lose it.
const KV_URL = `${REDIS_URL.replace(/\/\d*$/, "")}/14`;

/**
 * Sign-out revokes every session by moving the stored session version on. The KV is a cache that may lose
 * everything at any moment; losing it must never make a revoked cookie valid again, for requests or open streams.
 * Runs on the process's real services (PGlite store, Redis KV) through the app's own auth path (lib/http/api.ts).
 */
describe.skipIf(!redisUp)("a KV flush revives no revoked session", () => {
  let dir: string;
  let services: Services;
  let kv: Redis;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "as-revocation-"));
    resetServicesForTesting(
      parseConfig({
        PGLITE_DIR: dir,
        REDIS_URL: KV_URL,
        ADMIN_PASSWORD: "a-long-password",
        SESSION_SECRET: "s".repeat(40),
        PIPELINE_RUNNER: "inline",
        LOG_LEVEL: "error",
      }),
    );
    services = await getServices();
    kv = new Redis(KV_URL, { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    kv?.disconnect();
    await services?.store.close();
    resetServicesForTesting();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const requestWith = (cookie: string) =>
    new Request("http://127.0.0.1:3000/api/jobs", {
      headers: { cookie: `${SESSION_COOKIE}=${encodeURIComponent(cookie)}` },
    });

  it("signed out, then the KV flushed: the old cookie is still refused, a new sign-in works", async () => {
    const cookie = await newSessionCookie();
    expect(await requestIsAuthorized(requestWith(cookie))).toBe(true);
    expect(await endSessions(cookie)).toBe(true);
    expect(await requestIsAuthorized(requestWith(cookie))).toBe(false);

    await kv.flushdb();
    expect(await requestIsAuthorized(requestWith(cookie))).toBe(false);
    // A revoked cookie cannot sign everyone out again either.
    expect(await endSessions(cookie)).toBe(false);
    expect(await requestIsAuthorized(requestWith(await newSessionCookie()))).toBe(true);
  });

  it("an open event stream ends at its first heartbeat after sign-out, the KV flushed in between", async () => {
    const cookie = await newSessionCookie();
    const request = requestWith(cookie);
    const giveUp = new AbortController();
    let revoked = false;
    const checksAfterRevocation: boolean[] = [];
    const stream = createEventStream({
      kv: services.kv,
      jobId: `job_${randomUUID().slice(0, 12)}`,
      after: 0,
      heartbeatMs: 20,
      // Far past the test's timeout: only a heartbeat's check (or giving up below) ends this stream.
      maxLifetimeMs: 10 * 60_000,
      signal: giveUp.signal,
      // What the events route passes, counted: a stream still authorized after many heartbeats is given up on.
      stillAuthorized: async () => {
        const checkedAfter = revoked;
        const ok = await requestIsAuthorized(request);
        if (checkedAfter) {
          checksAfterRevocation.push(ok);
          if (checksAfterRevocation.length >= 20) giveUp.abort();
        }
        return ok;
      },
    });
    const reader = stream.getReader();
    const decoder = new TextDecoder();
    let text = "";
    while (!text.includes(": heartbeat")) {
      const { value, done } = await reader.read();
      if (done) throw new Error("the stream ended before its first heartbeat");
      text += decoder.decode(value, { stream: true });
    }

    expect(await endSessions(cookie)).toBe(true);
    await kv.flushdb();
    revoked = true;
    while (!(await reader.read()).done) {
      // Heartbeats while the stream stays authorized.
    }
    expect(checksAfterRevocation).toEqual([false]);
  });
});
