import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSession, isAuthorized, type SessionVersions, signOut } from "@/lib/auth/auth";
import { installPeerAddress } from "@/lib/auth/peer-address";
import {
  clientAddress,
  createMemoryRateLimiter,
  createRateLimiter,
  LOGIN_GLOBAL,
  LOGIN_PER_ADDRESS,
  loginAllowed,
  loginFailed,
  PEER_ADDRESS_HEADER,
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
    // A prefix of this site is not this site.
    { origin: "http://127.0.0.1:3000.evil.test" },
    { origin: "http://127.0.0.1:30000" },
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
  describe(`login rate limit: ${name}`, () => {
    it("refuses an address after its attempts, and everyone past the global cap", async () => {
      const limiter = await make();
      const ip = `198.51.100.${Math.floor(Math.random() * 200)}`;
      for (let i = 0; i < LOGIN_PER_ADDRESS.limit; i++) expect((await loginAllowed(limiter, ip)).allowed).toBe(true);
      const refused = await loginAllowed(limiter, ip);
      expect(refused.allowed).toBe(false);
      expect(refused.retryAfterSeconds).toBeGreaterThan(0);
      expect(refused.retryAfterSeconds).toBeLessThanOrEqual(LOGIN_PER_ADDRESS.windowMs / 1000);
    });

    it("past the global cap, refuses addresses that failed but never locks out one that has not", async () => {
      const limiter = await make();
      // A spread-out guess: many addresses, each failing, fills the global count of failures.
      for (let i = 0; i < LOGIN_GLOBAL.limit; i++) {
        const address = `203.0.113.${i % 250}-${i}`;
        expect((await loginAllowed(limiter, address)).allowed).toBe(true);
        await loginFailed(limiter, address);
      }
      // Each of them gets no second guess while the global count stands…
      expect((await loginAllowed(limiter, "203.0.113.0-0")).allowed).toBe(false);
      // …and the admin, who has not failed, still signs in.
      expect((await loginAllowed(limiter, "192.0.2.10")).allowed).toBe(true);
    });
  });
}

limiterContract("memory", async () => createMemoryRateLimiter());

/** The sign-out rules over any SessionVersions (the Store's are checked by the store contract). */
function memoryVersions(): SessionVersions {
  let version = 0;
  return { sessionVersion: async () => version, revokeSessions: async () => ++version };
}

describe("revocable sessions", () => {
  it("signing out with a garbage, foreign or stale cookie revokes nothing; with a valid one, everything", async () => {
    const versions = memoryVersions();
    const before = await versions.sessionVersion();
    const foreign = await createSession(
      parseConfig({ ADMIN_PASSWORD: "x-long-password", SESSION_SECRET: "f".repeat(40) }),
      before,
    );
    for (const cookie of [undefined, "garbage", foreign, (await createSession(config, before)).slice(0, -12)]) {
      expect(await signOut(cookie, config, versions)).toBe(false);
    }
    expect(await versions.sessionVersion()).toBe(before);
    const stale = await createSession(config, before - 1);
    expect(await signOut(stale, config, versions)).toBe(false);
    expect(await signOut(await createSession(config, before), config, versions)).toBe(true);
    expect(await versions.sessionVersion()).toBe(before + 1);
  });

  it("signing out revokes every cookie issued before, copies included", async () => {
    const versions = memoryVersions();
    const version = () => versions.sessionVersion();
    const cookie = await createSession(config, await version());
    expect(
      await isAuthorized({ sessionCookie: cookie, host: "example.com", sessionVersion: version }, config, quiet),
    ).toBe(true);
    await versions.revokeSessions();
    expect(
      await isAuthorized({ sessionCookie: cookie, host: "example.com", sessionVersion: version }, config, quiet),
    ).toBe(false);
    const fresh = await createSession(config, await version());
    expect(
      await isAuthorized({ sessionCookie: fresh, host: "example.com", sessionVersion: version }, config, quiet),
    ).toBe(true);
  });
});

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
  it("ignores X-Forwarded-For without a trusted proxy: the socket's address", () => {
    const spoofed = { "x-forwarded-for": "203.0.113.7", "x-real-ip": "203.0.113.8" };
    expect(clientAddress(new Headers({ ...spoofed, [PEER_ADDRESS_HEADER]: "198.51.100.4" }))).toBe("198.51.100.4");
    expect(clientAddress(new Headers(spoofed))).toBe("unknown");
  });

  it("takes the hop the trusted proxies saw: TRUSTED_PROXY entries from the right", () => {
    const headers = new Headers({ "x-forwarded-for": "203.0.113.7, 198.51.100.9, 10.0.0.1" });
    expect(clientAddress(headers, 1)).toBe("10.0.0.1");
    expect(clientAddress(headers, 2)).toBe("198.51.100.9");
    expect(parseConfig({ TRUSTED_PROXY: "1" }).trustedProxyHops).toBe(1);
    expect(parseConfig({}).trustedProxyHops).toBe(0);
  });

  it("is written from the socket by the server, whatever the client sent in its place", async () => {
    installPeerAddress();
    const server = http.createServer((req, res) => res.end(req.headers[PEER_ADDRESS_HEADER] ?? "none"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/`, { headers: { [PEER_ADDRESS_HEADER]: "203.0.113.1" } });
      expect(await response.text()).toBe("127.0.0.1");
    } finally {
      server.close();
    }
  });
});

describe("login limiter during a KV outage", () => {
  it("counts in memory and says so", async () => {
    const limiter = createRateLimiter(
      { kind: "redis", url: "redis://127.0.0.1:1" },
      { prefix: `t:${randomUUID()}:`, logger: quiet },
    );
    expect((await loginAllowed(limiter, "192.0.2.1")).allowed).toBe(true);
    expect(limiter.fallback).toBe(true);
    await loginFailed(limiter, "192.0.2.1");
    expect(await limiter.peek("login:fail:192.0.2.1")).toBe(1);
  });
});
