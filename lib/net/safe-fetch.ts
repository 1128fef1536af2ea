import type { LookupAddress } from "node:dns";
import { lookup as dnsLookup } from "node:dns/promises";
import { Agent, fetch as undiciFetch } from "undici";
import { AppError } from "../errors";
import { addressVerdict, isIpLiteral } from "./address-policy";
import type { Resolver, SafeFetch, SafeFetchOptions, SafeResponse } from "./types";

const ALLOWED_PORTS = new Set(["", "80", "443", "8080", "8443"]);
const DEFAULT_TIMEOUT_MS = 20_000;
const DEFAULT_MAX_BYTES = 5 * 1024 * 1024;
const DEFAULT_MAX_REDIRECTS = 5;

export const USER_AGENT =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Safari/537.36 article-summarizer/0.1";

const BROWSER_HEADERS: Record<string, string> = {
  "User-Agent": USER_AGENT,
  Accept: "text/html,application/xhtml+xml,application/xml;q=0.9,application/rss+xml,audio/*,video/*,*/*;q=0.8",
  "Accept-Language": "en-US,en;q=0.9,*;q=0.5",
  "Accept-Encoding": "gzip, deflate, br",
};

export interface GuardOptions {
  /** `host` or `host:port` entries allowed to reach private addresses (local testing only). */
  allowlist: readonly string[];
  resolver?: Resolver;
  /** Development: a refusal says how FETCH_ALLOWLIST would let a local test server through (production never). */
  explainAllowlist?: boolean;
}

const systemResolver: Resolver = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((a) => ({
    address: a.address,
    family: a.family === 6 ? 6 : 4,
  }));

function isAllowlisted(url: URL, allowlist: readonly string[]): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  return allowlist.includes(host) || allowlist.includes(`${host}:${port}`);
}

/** Names that mean this machine or its private network, whatever DNS says: suffixes (with their bare form). */
const LOCAL_SUFFIXES = [
  "localhost",
  "localdomain",
  "local",
  "internal",
  "lan",
  "home.arpa",
  "intranet",
  "corp",
  "home",
];
const LOCAL_NAMES = new Set(["ip6-localhost", "ip6-loopback"]);

/**
 * Every spelling of a local name, refused before any resolution: `localhost.` (the root dot, any count),
 * `LOCALHOST`, `x.localhost`, `metadata.google.internal`, and single-label names (`intranet`, `router`) that a
 * resolver's search domains would complete to an internal host.
 */
export function isLocalName(hostname: string): boolean {
  let end = hostname.length;
  while (end > 0 && hostname.charCodeAt(end - 1) === 46 /* . */) end--;
  const host = hostname.slice(0, end).toLowerCase();
  if (isIpLiteral(host)) return false;
  if (host === "" || !host.includes(".") || LOCAL_NAMES.has(host)) return true;
  return LOCAL_SUFFIXES.some((suffix) => host === suffix || host.endsWith(`.${suffix}`));
}

function parseUrl(input: string): URL {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch (cause) {
    throw new AppError("invalid_url", "This is not a valid URL", { cause });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new AppError("blocked_url", `Only http and https URLs can be fetched (not ${url.protocol})`);
  }
  if (!url.hostname) throw new AppError("invalid_url", "The URL has no host");
  if (url.username || url.password) throw new AppError("invalid_url", "URLs with credentials are not accepted");
  return url;
}

/**
 * The checks that need no connection: scheme, credentials, port, and literal addresses in every textual
 * form (the WHATWG parser has already turned 2130706433, 0177.1, 0x7f.1 and 127.1 into 127.0.0.1).
 */
function checkStatic(url: URL, allowlist: readonly string[], explainAllowlist = false): void {
  if (isAllowlisted(url, allowlist)) return;
  const host = url.hostname.toLowerCase();
  const hint = explainAllowlist
    ? ` (development: FETCH_ALLOWLIST=${host.replace(/^\[|\]$/g, "")}:${url.port || (url.protocol === "https:" ? "443" : "80")} lets it through)`
    : "";
  if (!ALLOWED_PORTS.has(url.port)) throw new AppError("blocked_url", `Port ${url.port} is not allowed${hint}`);
  if (isLocalName(host)) throw new AppError("blocked_url", `${host} is a local name${hint}`);
  if (isIpLiteral(host)) {
    const verdict = addressVerdict(host);
    if (!verdict.allowed) throw new AppError("blocked_url", `${host} is a ${verdict.range} address${hint}`);
  }
}

async function resolvePublic(hostname: string, resolver: Resolver): Promise<{ address: string; family: 4 | 6 }[]> {
  let answers: { address: string; family: 4 | 6 }[];
  try {
    answers = await resolver(hostname);
  } catch (cause) {
    throw new AppError("http_error", `Could not resolve ${hostname}`, { cause, retriable: true });
  }
  if (answers.length === 0) throw new AppError("http_error", `${hostname} has no address`, { retriable: true });
  for (const answer of answers) {
    const verdict = addressVerdict(answer.address);
    if (!verdict.allowed) {
      throw new AppError("blocked_url", `${hostname} resolves to a ${verdict.range} address`);
    }
  }
  return answers;
}

/**
 * Validates a URL a user submitted, before any job exists: parse, static checks, and (unless told not to)
 * DNS resolution of the host with every answer checked. Returns the normalized URL.
 */
export async function assertFetchableUrl(
  input: string,
  options: GuardOptions & { resolve?: boolean },
): Promise<string> {
  const url = parseUrl(input);
  checkStatic(url, options.allowlist, options.explainAllowlist);
  if (options.resolve !== false && !isAllowlisted(url, options.allowlist) && !isIpLiteral(url.hostname)) {
    await resolvePublic(url.hostname, options.resolver ?? systemResolver);
  }
  return url.toString();
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * The fetcher every stage uses. The connection's DNS lookup is the guard itself: the addresses it checks are
 * the ones the socket connects to (no rebinding between check and connect), on every hop, since redirects are
 * followed by hand and each new URL is checked before it is requested.
 */
export function createSafeFetch(options: GuardOptions & { userAgent?: string }): SafeFetch {
  const resolver = options.resolver ?? systemResolver;

  const lookupWith =
    (resolve: (hostname: string) => Promise<{ address: string; family: 4 | 6 }[]>) =>
    (hostname: string, lookupOptions: { all?: boolean }, callback: LookupCallback) => {
      resolve(hostname).then(
        (answers) => {
          if (lookupOptions.all) callback(null, answers);
          else callback(null, answers[0]?.address ?? "", answers[0]?.family ?? 4);
        },
        (error: unknown) => callback(error as NodeJS.ErrnoException, ""),
      );
    };
  const agentWith = (resolve: (hostname: string) => Promise<{ address: string; family: 4 | 6 }[]>) =>
    new Agent({
      connect: { lookup: lookupWith(resolve), timeout: 10_000 },
      headersTimeout: 15_000,
      bodyTimeout: 15_000,
      keepAliveTimeout: 5_000,
    });
  // A lookup sees a host name, never a port: so the decision "may this reach a private address" is made per URL
  // (host and port, as FETCH_ALLOWLIST names them) by picking the agent, and the public agent never skips the check.
  const publicAgent = agentWith((hostname) => resolvePublic(hostname, resolver));
  const allowlistedAgent = options.allowlist.length > 0 ? agentWith(resolver) : publicAgent;

  return async function safeFetch(input: string, init: SafeFetchOptions = {}): Promise<SafeResponse> {
    const timeoutMs = init.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const signal = init.signal
      ? AbortSignal.any([init.signal, AbortSignal.timeout(timeoutMs)])
      : AbortSignal.timeout(timeoutMs);
    const maxRedirects = init.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
    const redirects: string[] = [];
    let url = parseUrl(input);

    try {
      for (;;) {
        checkStatic(url, options.allowlist);
        redirects.push(url.toString());
        const response = await undiciFetch(url, {
          method: init.method ?? "GET",
          headers: {
            ...BROWSER_HEADERS,
            ...(options.userAgent ? { "User-Agent": options.userAgent } : {}),
            ...init.headers,
          },
          redirect: "manual",
          ...(init.body !== undefined ? { body: init.body } : {}),
          signal,
          dispatcher: isAllowlisted(url, options.allowlist) ? allowlistedAgent : publicAgent,
        });
        const location = response.headers.get("location");
        if (response.status >= 300 && response.status < 400 && location) {
          await response.body?.cancel();
          if (redirects.length > maxRedirects)
            throw new AppError("http_error", `More than ${maxRedirects} redirects`, { retriable: false });
          url = parseUrl(new URL(location, url).toString());
          continue;
        }
        return await finish(response, url, redirects, init, signal);
      }
    } catch (error) {
      throw normalizeError(error, signal, timeoutMs, url);
    }
  };
}

async function finish(
  response: Awaited<ReturnType<typeof undiciFetch>>,
  url: URL,
  redirects: string[],
  init: SafeFetchOptions,
  signal: AbortSignal,
): Promise<SafeResponse> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, key) => {
    headers[key] = value;
  });
  const contentType = response.headers.get("content-type");
  const lengthHeader = response.headers.get("content-length");
  const contentLength = lengthHeader && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : null;
  // A conditional GET's "not modified" is an answer, not a failure: it has no body to read.
  const notModified = response.status === 304;
  if (!response.ok && !notModified) {
    await response.body?.cancel();
    throw httpError(response.status, headers["retry-after"]);
  }
  const read =
    !notModified &&
    init.method !== "HEAD" &&
    (init.shouldReadBody?.({ status: response.status, contentType, contentLength }) ?? true);
  if (!read) {
    await response.body?.cancel();
    return {
      url: url.toString(),
      status: response.status,
      headers,
      contentType,
      body: new Uint8Array(),
      bodyRead: false,
      redirects,
    };
  }
  const maxBytes = init.maxBytes ?? DEFAULT_MAX_BYTES;
  if (contentLength !== null && contentLength > maxBytes && !headers["content-encoding"]) {
    await response.body?.cancel();
    throw new AppError("too_large", `The response is ${contentLength} bytes (limit ${maxBytes})`);
  }
  // Counted after decompression, so a small gzip bomb stops at the same limit as a large plain body.
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (response.body) {
    for await (const chunk of response.body) {
      if (signal.aborted) throw signal.reason;
      total += chunk.byteLength;
      if (total > maxBytes) {
        await response.body.cancel().catch(() => undefined);
        throw new AppError("too_large", `The response is larger than ${maxBytes} bytes`);
      }
      chunks.push(chunk);
    }
  }
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { url: url.toString(), status: response.status, headers, contentType, body, bodyRead: true, redirects };
}

function httpError(status: number, retryAfter: string | undefined): AppError {
  const retryAfterMs = parseRetryAfter(retryAfter);
  if (status === 429)
    return new AppError("rate_limited", "The site is rate limiting us (HTTP 429)", { status, retryAfterMs });
  if (status === 404 || status === 410)
    return new AppError("http_error", `The page does not exist (HTTP ${status})`, { status, retriable: false });
  if (status === 401 || status === 403) {
    return new AppError("paywall_or_bot_wall", `The site refused access (HTTP ${status})`, { status });
  }
  return new AppError("http_error", `The site answered HTTP ${status}`, {
    status,
    retriable: status >= 500,
    retryAfterMs,
  });
}

/** Retry-After in milliseconds; AppError drops a wait over MAX_RETRY_AFTER_MS. */
function parseRetryAfter(value: string | undefined): number | undefined {
  if (!value || value.length > 100) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function normalizeError(error: unknown, signal: AbortSignal, timeoutMs: number, url: URL): AppError {
  if (error instanceof AppError) return error;
  // undici wraps the lookup's AppError (blocked address) in a TypeError("fetch failed") with it as cause.
  let cause: unknown = error;
  while (cause instanceof Error) {
    if (cause instanceof AppError) return cause;
    cause = cause.cause;
  }
  if (signal.aborted)
    return new AppError("timeout", `No complete answer from ${url.host} within ${timeoutMs} ms`, { cause: error });
  return new AppError("http_error", `Could not fetch ${url.host}`, { cause: error, retriable: true });
}
