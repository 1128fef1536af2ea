import http from "node:http";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createSafeFetch } from "./safe-fetch";
import type { Resolver } from "./types";

/**
 * DNS rebinding: the first answer is public (it passes the check), every later one is loopback, where a server
 * holds a secret. The connection must use the answer that was checked; a guard that checks one lookup and then
 * lets the socket look the name up again would connect to loopback and read the secret.
 */
describe("SSRF guard: the checked DNS answer is the one connected to", () => {
  let server: http.Server;
  let requests = 0;
  // A loopback address of its own on an allowed port, so the test cannot collide with another server on 127.0.0.1.
  const loopback = `127.${1 + Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;
  let port = 0;
  beforeAll(async () => {
    server = http.createServer((_req, res) => {
      requests += 1;
      res.writeHead(200, { "Content-Type": "text/html" }).end("<p>secret</p>");
    });
    for (const candidate of [8443, 8080]) {
      const bound = await new Promise<boolean>((resolve) => {
        server.once("error", () => resolve(false));
        server.listen(candidate, loopback, () => resolve(true));
      });
      if (bound) {
        port = candidate;
        break;
      }
    }
    if (!port) throw new Error(`no allowed port free on ${loopback}`);
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  it("never reaches the loopback answer of a second lookup", async () => {
    let calls = 0;
    // 93.184.216.34 is public and unreachable from these machines: a pinned connection to it times out.
    const rebinding = vi.fn<Resolver>(async () =>
      calls++ === 0 ? [{ address: "93.184.216.34", family: 4 }] : [{ address: loopback, family: 4 }],
    );
    const fetch = createSafeFetch({ allowlist: [], resolver: rebinding });
    const outcome = await fetch(`http://rebind.test:${port}/secret`, { timeoutMs: 1_500 }).then(
      (response) => new TextDecoder().decode(response.body),
      (error: unknown) => error,
    );
    expect(outcome).not.toBe("<p>secret</p>");
    expect(outcome).toMatchObject({ reason: expect.stringMatching(/^(timeout|http_error|blocked_url)$/) });
    expect(requests).toBe(0);
  });

  it("refuses when the answer at connect time is loopback", async () => {
    const fetch = createSafeFetch({ allowlist: [], resolver: async () => [{ address: loopback, family: 4 }] });
    await expect(fetch(`http://rebind.test:${port}/secret`, { timeoutMs: 1_500 })).rejects.toMatchObject({
      reason: "blocked_url",
    });
    expect(requests).toBe(0);
  });
});
