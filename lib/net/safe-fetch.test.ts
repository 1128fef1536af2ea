import http from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { RetryAfterError } from "inngest";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { AppError, MAX_RETRY_AFTER_MS } from "../errors";
import { toInngestError } from "../pipeline/inngest-errors";
import { addressVerdict } from "./address-policy";
import { assertFetchableUrl, createSafeFetch } from "./safe-fetch";
import type { Resolver } from "./types";

const publicResolver: Resolver = async () => [{ address: "93.184.216.34", family: 4 }];
const guard = (input: string, resolver: Resolver = publicResolver) =>
  assertFetchableUrl(input, { allowlist: [], resolver });

describe("SSRF guard: literal addresses in every form", () => {
  it.each([
    "http://127.0.0.1/",
    "http://2130706433/",
    "http://0177.0.0.1/",
    "http://0x7f.1/",
    "http://127.1/",
    "http://0/",
    "http://10.0.0.5/",
    "http://172.16.3.4/",
    "http://192.168.1.1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://100.64.0.1/",
    "http://224.0.0.1/",
    "http://255.255.255.255/",
    "http://198.18.0.1/",
    "http://[::1]/",
    "http://[::]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:a9fe:a9fe]/",
    "http://[::127.0.0.1]/",
    "http://[fe80::1]/",
    "http://[fc00::1]/",
    "http://[64:ff9b::a00:1]/",
    "http://[2002:7f00:1::]/",
    "http://localhost/",
    "http://printer.local/",
    // Every spelling of a local name is refused by name, before any resolution.
    "http://localhost./",
    "http://LOCALHOST../",
    "http://app.localhost./",
    "http://localhost.localdomain/",
    "http://metadata.google.internal./",
    "http://router.lan/",
    "http://nas.home.arpa/",
    "http://intranet/",
    "http://ip6-localhost/",
  ])("refuses %s", async (url) => {
    await expect(guard(url)).rejects.toMatchObject({ reason: "blocked_url" });
  });

  it("refuses other schemes, credentials and unusual ports", async () => {
    await expect(guard("file:///etc/passwd")).rejects.toMatchObject({ reason: "blocked_url" });
    await expect(guard("gopher://example.com/")).rejects.toMatchObject({ reason: "blocked_url" });
    await expect(guard("http://user:pw@example.com/")).rejects.toMatchObject({ reason: "invalid_url" });
    await expect(guard("http://example.com:6379/")).rejects.toMatchObject({ reason: "blocked_url" });
    await expect(guard("not a url")).rejects.toMatchObject({ reason: "invalid_url" });
  });

  it("accepts public hosts and addresses", async () => {
    expect(await guard("https://example.com/a?b=1")).toBe("https://example.com/a?b=1");
    expect(await guard("http://93.184.216.34:8080/")).toBe("http://93.184.216.34:8080/");
    expect(addressVerdict("2606:4700::6810:85e5").allowed).toBe(true);
  });
});

describe("SSRF guard: DNS answers", () => {
  it("refuses a hostname that resolves to a private address", async () => {
    await expect(
      guard("https://internal.example.com/", async () => [{ address: "10.1.2.3", family: 4 }]),
    ).rejects.toMatchObject({
      reason: "blocked_url",
    });
  });

  it("refuses when any answer is private, including mapped IPv6", async () => {
    const mixed: Resolver = async () => [
      { address: "93.184.216.34", family: 4 },
      { address: "::ffff:169.254.169.254", family: 6 },
    ];
    await expect(guard("https://mixed.example.com/", mixed)).rejects.toMatchObject({ reason: "blocked_url" });
  });
});

describe("safe fetch against loopback servers", () => {
  let server: http.Server;
  let origin: string;
  let hostPort: string;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url === "/redirect-private") {
        res.writeHead(302, { Location: "http://10.0.0.1/secret" }).end();
      } else if (req.url === "/redirect-rebind") {
        res.writeHead(302, { Location: "http://rebind.test:8080/x" }).end();
      } else if (req.url === "/redirect-loop") {
        res.writeHead(302, { Location: "/redirect-loop" }).end();
      } else if (req.url === "/bomb") {
        res
          .writeHead(200, { "Content-Type": "text/html", "Content-Encoding": "gzip" })
          .end(gzipSync(Buffer.alloc(20 * 1024 * 1024)));
      } else if (req.url === "/slow") {
        res.writeHead(200, { "Content-Type": "text/html" });
        res.write("<p>start");
        setTimeout(() => res.end("</p>"), 2_000);
      } else if (req.url === "/gone") {
        res.writeHead(410).end();
      } else if (req.url === "/busy-for-weeks") {
        res.writeHead(429, { "Retry-After": "2000000" }).end();
      } else if (req.url === "/busy") {
        res.writeHead(503, { "Retry-After": "7" }).end();
      } else if (req.url === "/hop") {
        res.writeHead(301, { Location: "/moved/page" }).end();
      } else if (req.url === "/paywall") {
        res.writeHead(403).end();
      } else if (req.url === "/login") {
        res.writeHead(401).end();
      } else if (req.url === "/missing") {
        res.writeHead(404).end();
      } else if (req.url === "/bad") {
        res.writeHead(400).end();
      } else if (req.url === "/big") {
        res.writeHead(200, { "Content-Type": "audio/mpeg", "Content-Length": String(2 * 1024 * 1024) });
        res.end(Buffer.alloc(2 * 1024 * 1024));
      } else if (req.url === "/headers") {
        res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(req.headers));
      } else {
        res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" }).end("<p>hello</p>");
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    origin = `http://127.0.0.1:${port}`;
    hostPort = `127.0.0.1:${port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  it("fetches an allowlisted loopback server", async () => {
    const fetch = createSafeFetch({ allowlist: [hostPort] });
    const response = await fetch(`${origin}/page`);
    expect(new TextDecoder().decode(response.body)).toBe("<p>hello</p>");
    expect(response.contentType).toMatch(/text\/html/);
  });

  it("refuses loopback that is not allowlisted", async () => {
    await expect(createSafeFetch({ allowlist: [] })(`${origin}/page`)).rejects.toMatchObject({ reason: "blocked_url" });
  });

  it("re-checks every redirect hop and refuses one to a private address without connecting", async () => {
    const resolver = vi.fn<Resolver>(publicResolver);
    const fetch = createSafeFetch({ allowlist: [hostPort], resolver });
    await expect(fetch(`${origin}/redirect-private`)).rejects.toMatchObject({ reason: "blocked_url" });
    expect(resolver).not.toHaveBeenCalled();
  });

  it("checks the DNS answer used for the connection (rebinding)", async () => {
    // The resolver answers private at connect time: the guard refuses the hop; nothing is connected to.
    const resolver = vi.fn<Resolver>(async () => [{ address: "192.168.0.10", family: 4 }]);
    const fetch = createSafeFetch({ allowlist: [hostPort], resolver });
    await expect(fetch(`${origin}/redirect-rebind`)).rejects.toMatchObject({ reason: "blocked_url" });
    expect(resolver).toHaveBeenCalledWith("rebind.test");
  });

  it("stops redirect loops, bombs, slow bodies, and maps HTTP statuses to reasons", async () => {
    const fetch = createSafeFetch({ allowlist: [hostPort] });
    await expect(fetch(`${origin}/redirect-loop`)).rejects.toMatchObject({ reason: "http_error", retriable: false });
    await expect(fetch(`${origin}/bomb`, { maxBytes: 1024 * 1024 })).rejects.toMatchObject({ reason: "too_large" });
    await expect(fetch(`${origin}/slow`, { timeoutMs: 300 })).rejects.toMatchObject({ reason: "timeout" });
    await expect(fetch(`${origin}/gone`)).rejects.toMatchObject({
      reason: "http_error",
      status: 410,
      retriable: false,
    });
    await expect(fetch(`${origin}/busy`)).rejects.toMatchObject({
      reason: "http_error",
      retriable: true,
      retryAfterMs: 7000,
    });
  });

  it("caps Retry-After: a wait of weeks becomes an ordinary retriable failure", async () => {
    const fetch = createSafeFetch({ allowlist: [hostPort] });
    const error = await fetch(`${origin}/busy-for-weeks`).catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: "rate_limited", retriable: true });
    expect((error as AppError).retryAfterMs).toBeUndefined();
    expect(toInngestError(error)).not.toBeInstanceOf(RetryAfterError);
    expect(new AppError("rate_limited", "x", { retryAfterMs: MAX_RETRY_AFTER_MS }).retryAfterMs).toBe(
      MAX_RETRY_AFTER_MS,
    );
  });

  it("honours the port of a host:port allowlist entry (the host on another port is public-only)", async () => {
    const resolver = vi.fn<Resolver>(async () => [{ address: "127.0.0.1", family: 4 }]);
    const port = hostPort.split(":")[1];
    const fetch = createSafeFetch({ allowlist: [`dev.test:${port}`], resolver });
    const response = await fetch(`http://dev.test:${port}/page`);
    expect(new TextDecoder().decode(response.body)).toBe("<p>hello</p>");
    // 8080 passes the port check, but dev.test:8080 is not allowlisted: its loopback answer is refused, unconnected.
    await expect(fetch("http://dev.test:8080/")).rejects.toMatchObject({ reason: "blocked_url" });
    await expect(fetch("http://dev.test/")).rejects.toMatchObject({ reason: "blocked_url" });
  });

  it("follows a redirect and says where it ended and every URL it visited", async () => {
    const fetch = createSafeFetch({ allowlist: [hostPort] });
    const response = await fetch(`${origin}/hop`);
    expect(response.url).toBe(`${origin}/moved/page`);
    expect(response.redirects).toEqual([`${origin}/hop`, `${origin}/moved/page`]);
    expect(response.status).toBe(200);
    // No redirect allowed: the first hop is already one too many.
    await expect(fetch(`${origin}/hop`, { maxRedirects: 0 })).rejects.toMatchObject({ reason: "http_error" });
  });

  it("names refusals and client errors, and retries only what may pass later", async () => {
    const fetch = createSafeFetch({ allowlist: [hostPort] });
    for (const path of ["/paywall", "/login"]) {
      await expect(fetch(`${origin}${path}`)).rejects.toMatchObject({ reason: "paywall_or_bot_wall" });
    }
    await expect(fetch(`${origin}/missing`)).rejects.toMatchObject({
      reason: "http_error",
      status: 404,
      retriable: false,
    });
    await expect(fetch(`${origin}/bad`)).rejects.toMatchObject({ reason: "http_error", status: 400, retriable: false });
  });

  it("reads no body when the caller does not want it, and refuses a declared length over the cap unread", async () => {
    const fetch = createSafeFetch({ allowlist: [hostPort] });
    const seen: unknown[] = [];
    const skipped = await fetch(`${origin}/big`, {
      shouldReadBody: (info) => {
        seen.push(info);
        return false;
      },
    });
    expect(seen).toEqual([{ status: 200, contentType: "audio/mpeg", contentLength: 2 * 1024 * 1024 }]);
    expect(skipped).toMatchObject({ bodyRead: false, status: 200, contentType: "audio/mpeg" });
    expect(skipped.body.byteLength).toBe(0);
    const head = await fetch(`${origin}/big`, { method: "HEAD" });
    expect(head.bodyRead).toBe(false);
    await expect(fetch(`${origin}/big`, { maxBytes: 1024 * 1024 })).rejects.toMatchObject({
      reason: "too_large",
      message: expect.stringMatching(/2097152 bytes/),
    });
    expect((await fetch(`${origin}/big`)).body.byteLength).toBe(2 * 1024 * 1024);
  });

  it("sends a browser's headers, the configured User-Agent, and the caller's own", async () => {
    const plain = await createSafeFetch({ allowlist: [hostPort] })(`${origin}/headers`);
    const sent = JSON.parse(new TextDecoder().decode(plain.body)) as Record<string, string>;
    expect(sent["user-agent"]).toMatch(/Chrome\/.*article-summarizer/);
    expect(sent.accept).toMatch(/^text\/html/);
    expect(sent["accept-language"]).toMatch(/^en/);
    const custom = await createSafeFetch({ allowlist: [hostPort], userAgent: "bot/1" })(`${origin}/headers`, {
      headers: { "If-None-Match": '"v1"' },
    });
    const customSent = JSON.parse(new TextDecoder().decode(custom.body)) as Record<string, string>;
    expect(customSent["user-agent"]).toBe("bot/1");
    expect(customSent["if-none-match"]).toBe('"v1"');
  });

  it("calls a name that does not resolve a retriable failure, not a blocked URL", async () => {
    const nxdomain: Resolver = async () => {
      throw Object.assign(new Error("getaddrinfo ENOTFOUND"), { code: "ENOTFOUND" });
    };
    await expect(guard("https://gone.example.com/", nxdomain)).rejects.toMatchObject({
      reason: "http_error",
      retriable: true,
    });
    await expect(guard("https://empty.example.com/", async () => [])).rejects.toMatchObject({
      reason: "http_error",
      retriable: true,
    });
    const fetch = createSafeFetch({ allowlist: [], resolver: nxdomain });
    await expect(fetch("https://gone.example.com/")).rejects.toMatchObject({ reason: "http_error", retriable: true });
  });
});
