import { AppError } from "../errors";

/** JSON bodies of the API are a URL and a flag or a password: 64 KiB is generous. */
export const MAX_JSON_BODY_BYTES = 64 * 1024;

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Refuses a state-changing request that a browser sent from another site. Cookies (and, in open development, the
 * loopback Host) would otherwise authenticate it: every page the admin visits could submit jobs or sign them out.
 * Browsers send `Origin` on every cross-site POST (and `Sec-Fetch-Site`); a request with neither is not from a
 * browser page, and a bearer token is never sent by a browser on its own.
 */
export function assertSameOrigin(request: Request): void {
  if (SAFE_METHODS.has(request.method.toUpperCase())) return;
  const host = request.headers.get("host");
  const origin = request.headers.get("origin");
  if (origin !== null) {
    let originHost: string | null = null;
    try {
      originHost = origin === "null" ? null : new URL(origin).host;
    } catch {
      originHost = null;
    }
    if (!host || originHost !== host) {
      throw new AppError("unauthorized", "Cross-site request refused (Origin does not match this site)");
    }
    return;
  }
  const site = request.headers.get("sec-fetch-site");
  if (site !== null && site !== "same-origin" && site !== "none") {
    throw new AppError("unauthorized", "Cross-site request refused");
  }
}

/** The media type of a Content-Type header, lower case, without parameters. */
export function mediaType(request: Request): string {
  return (request.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

/**
 * The body as text, read no further than `maxBytes`: a declared Content-Length over it is refused unread, and a
 * body that streams past it is cut off there (nothing is buffered beyond the cap).
 */
export async function readCappedText(request: Request, maxBytes: number): Promise<string> {
  const declared = request.headers.get("content-length");
  if (declared !== null && /^\d+$/.test(declared) && Number(declared) > maxBytes) {
    await request.body?.cancel().catch(() => undefined);
    throw new AppError("too_large", `The request body is over ${maxBytes} bytes`);
  }
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new AppError("too_large", `The request body is over ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * A JSON body: `application/json` (or `+json`) only — a `text/plain` form post is how another site would send
 * JSON without a CORS preflight — capped, parsed, or a named 400.
 */
export async function readJsonBody(request: Request, maxBytes = MAX_JSON_BODY_BYTES): Promise<unknown> {
  const type = mediaType(request);
  if (type !== "application/json" && !type.endsWith("+json")) {
    throw new AppError("invalid_body", "Send the body as JSON with Content-Type: application/json");
  }
  const text = await readCappedText(request, maxBytes);
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new AppError("invalid_body", "The request body is not valid JSON", { cause });
  }
}

/** A whole-number query parameter in [min, max]; absent means `fallback`; anything else is a named 400. */
export function intParam(params: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const raw = params.get(name);
  if (raw === null || raw === "") return fallback;
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new AppError("invalid_body", `?${name} must be a whole number from ${min} to ${max}`);
  }
  return Number(raw);
}

/** A query parameter that must be one of `values`; absent means undefined; anything else is a named 400. */
export function enumParam<T extends string>(
  params: URLSearchParams,
  name: string,
  values: readonly T[],
): T | undefined {
  const raw = params.get(name);
  if (raw === null || raw === "") return undefined;
  if (!(values as readonly string[]).includes(raw)) {
    throw new AppError("invalid_body", `?${name} must be one of ${values.join(", ")}`);
  }
  return raw as T;
}

/** A calendar day written YYYY-MM-DD that exists (2024-02-30 and 0000-01-01 do not): it round-trips through a date. */
export function isCalendarDay(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year < 1) return false;
  const date = new Date(Date.UTC(2000, month - 1, day));
  date.setUTCFullYear(year);
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** A `YYYY-MM-DD` query parameter; absent means undefined; anything else (a day that does not exist) is a named 400. */
export function dayParam(params: URLSearchParams, name: string): string | undefined {
  const raw = params.get(name);
  if (raw === null || raw === "") return undefined;
  if (!isCalendarDay(raw)) throw new AppError("invalid_body", `?${name} must be a date that exists, as YYYY-MM-DD`);
  return raw;
}
