import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSession, isAuthorized } from "@/lib/auth/auth";
import {
  clientAddress,
  createMemoryRateLimiter,
  createRateLimiter,
  LOGIN_GLOBAL,
  LOGIN_PER_ADDRESS,
  loginAllowed,
  type RateLimiter,
} from "@/lib/auth/rate-limit";
import { parseConfig } from "@/lib/env";
import { assertSameOrigin, MAX_JSON_BODY_BYTES, readCappedText, readJsonBody } from "@/lib/http/request-guard";
import { createLogger } from "@/lib/log";
import { REDIS_URL, serviceAvailable } from "../helpers/services";
import { startUpstashBridge, type UpstashBridge } from "../helpers/upstash-bridge";

const post = (headers: Record<string, string>, body?: BodyInit) =>
  new Request("http://127.0.0.1:3000/api/jobs", {
    method: "POST",
    headers: { host: "127.0.0.1:3000", ...headers },
    body,
  });

describe("cross-site requests (CSRF) are refused on every mutation", () => {
  it.each([
    { origin: "https://evil.example" },
    { origin: "null" },
    { origin: "http://127.0.0.1:3001" },
    { origin: "not a url" },
    { "sec-fetch-site": "cross-site" },
    { "sec-fetch-site": "same-site" },
  ] as Record<string, string>[])("refuses %j", (headers) => {
    expect(() => assertSameOrigin(post(headers))).toThrow(expect.objectContaining({ reason: "unauthorized" }));
  });

  it("lets this site's pages, non-browser clients and reads through", () => {
    expect(() => assertSameOrigin(post({ origin: "http://127.0.0.1:3000" }))).not.toThrow();
    expect(() => assertSameOrigin(post({ "sec-fetch-site": "same-origin" }))).not.toThrow();
    expect(() => assertSameOrigin(post({}))).not.toThrow();
    const crossSiteGet = new Request("http://127.0.0.1:3000/api/jobs", { headers: { origin: "https://evil.example" } });
    expect(() => assertSameOrigin(crossSiteGet)).not.toThrow();
  });
});

describe("request bodies: JSON only, and capped before they are buffered", () => {
  it("refuses a text/plain or form body on a JSON endpoint (a cross-site form's way to send JSON)", async () => {
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""]) {
      await expect(readJsonBody(post({ "content-type": type }, '{"url":"https://a.example/"}'))).rejects.toMatchObject({
        reason: "invalid_body",
      });
    }
    expect(await readJsonBody(post({ "content-type": "application/json; charset=utf-8" }, '{"a":1}'))).toEqual({
      a: 1,
    });
    await expect(readJsonBody(post({ "content-type": "application/json" }, "{"))).rejects.toMatchObject({
      reason: "invalid_body",
    });
  });

  it("stops reading a 200 MB body at the cap, whether or not it declares its length", async () => {
    let pulled = 0;
    const chunk = new Uint8Array(1024 * 1024);
    const huge = () =>
      new ReadableStream<Uint8Array>({
        pull(controller) {
          if (pulled >= 200) controller.close();
          else {
            pulled++;
            controller.enqueue(chunk);
          }
        },
      });
    const streamed = new Request("http://127.0.0.1:3000/api/auth/login", {
      method: "POST",
      body: huge(),
      headers: { "content-type": "application/json" },
      duplex: "half",
    } as RequestInit);
    await expect(readJsonBody(streamed)).rejects.toMatchObject({ reason: "too_large" });
    expect(pulled).toBeLessThanOrEqual(3);

    pulled = 0;
    const declared = post({ "content-type": "application/json", "content-length": String(200 * 1024 * 1024) }, "{}");
    await expect(readCappedText(declared, MAX_JSON_BODY_BYTES)).rejects.toMatchObject({ reason: "too_large" });
  });
});

const quiet = createLogger({ level: "error" });
const config = parseConfig({ ADMIN_PASSWORD: "a-long-password", SESSION_SECRET: "s".repeat(40) });

function limiterContract(name: string, make: () => Promise<RateLimiter>) {
  describe(`login rate limit and revocable sessions: ${name}`, () => {
    it("refuses an address after its attempts, and everyone past the global cap", async () => {
      const limiter = await make();
      const ip = `198.51.100.${Math.floor(Math.random() * 200)}`;
      for (let i = 0; i < LOGIN_PER_ADDRESS.limit; i++) expect((await loginAllowed(limiter, ip)).allowed).toBe(true);
      const refused = await loginAllowed(limiter, ip);
      expect(refused.allowed).toBe(false);
      expect(refused.retryAfterSeconds).toBeGreaterThan(0);
      expect(refused.retryAfterSeconds).toBeLessThanOrEqual(LOGIN_PER_ADDRESS.windowMs / 1000);
      // A spread-out guess: many addresses, a few tries each, still meets the global cap.
      let allowed = 0;
      for (let i = 0; i < LOGIN_GLOBAL.limit + 20; i++) {
        if ((await loginAllowed(limiter, `203.0.113.${i % 250}-${i}`)).allowed) allowed++;
      }
      expect(allowed).toBeLessThan(LOGIN_GLOBAL.limit);
    });

    it("signing out revokes every cookie issued before, copies included", async () => {
      const limiter = await make();
      const version = () => limiter.sessionVersion();
      const cookie = await createSession(config, await version());
      expect(
        await isAuthorized({ sessionCookie: cookie, host: "example.com", sessionVersion: version }, config, quiet),
      ).toBe(true);
      await limiter.revokeSessions();
      expect(
        await isAuthorized({ sessionCookie: cookie, host: "example.com", sessionVersion: version }, config, quiet),
      ).toBe(false);
      const fresh = await createSession(config, await version());
      expect(
        await isAuthorized({ sessionCookie: fresh, host: "example.com", sessionVersion: version }, config, quiet),
      ).toBe(true);
    });
  });
}

limiterContract("memory", async () => createMemoryRateLimiter());

const redisUp = await serviceAvailable("redis");
describe.skipIf(!redisUp)("shared limits", () => {
  let bridge: UpstashBridge;
  beforeAll(async () => {
    bridge = await startUpstashBridge(REDIS_URL);
  });
  afterAll(async () => bridge?.close());
  limiterContract("redis (TCP)", async () =>
    createRateLimiter({ kind: "redis", url: REDIS_URL }, { prefix: `t:${randomUUID()}:` }),
  );
  limiterContract("upstash (REST via loopback bridge)", async () =>
    createRateLimiter({ kind: "upstash", url: bridge.url, token: bridge.token }, { prefix: `t:${randomUUID()}:` }),
  );
});

describe("client address", () => {
  it("is the first X-Forwarded-For hop, else x-real-ip, else one shared bucket", () => {
    expect(clientAddress(new Headers({ "x-forwarded-for": "203.0.113.7, 10.0.0.1" }))).toBe("203.0.113.7");
    expect(clientAddress(new Headers({ "x-real-ip": "203.0.113.8" }))).toBe("203.0.113.8");
    expect(clientAddress(new Headers())).toBe("unknown");
  });
});
