/** The SSRF-guarded fetcher's contract (implemented in lib/net/safe-fetch.ts). */

export interface SafeFetchOptions {
  method?: "GET" | "HEAD" | "POST";
  /** A POST's body (webhook deliveries). */
  body?: string;
  headers?: Record<string, string>;
  /** Hard cap on the (decompressed) body; exceeding it throws AppError("too_large"). */
  maxBytes?: number;
  /** Whole-request deadline; exceeding it throws AppError("timeout"). */
  timeoutMs?: number;
  maxRedirects?: number;
  signal?: AbortSignal;
  /**
   * Called with the final response's headers before the body is read. Returning false skips the body
   * (e.g. a 2 GB video when only its content type was needed).
   */
  shouldReadBody?: (info: { status: number; contentType: string | null; contentLength: number | null }) => boolean;
}

export interface SafeResponse {
  /** The URL after redirects. */
  url: string;
  status: number;
  headers: Record<string, string>;
  contentType: string | null;
  /** Empty when shouldReadBody returned false. */
  body: Uint8Array;
  bodyRead: boolean;
  /** Every URL visited, in order, the first being the requested one. */
  redirects: string[];
}

export type SafeFetch = (url: string, options?: SafeFetchOptions) => Promise<SafeResponse>;

/** Injected in tests to simulate DNS answers (private addresses, rebinding) without touching the network. */
export type Resolver = (hostname: string) => Promise<{ address: string; family: 4 | 6 }[]>;
