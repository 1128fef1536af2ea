import { AppError } from "../errors";
import type { SafeFetch } from "../net/types";

/**
 * Random access to remote media through the SSRF-guarded fetcher. A demuxer asks for thousands of small byte ranges;
 * they are served from a few aligned blocks, and missing neighbouring blocks are fetched together in one `Range`
 * request, so cutting a window costs a handful of requests. Every request goes through `fetch` (guarded, capped).
 */
export interface RangeReader {
  readonly url: string;
  readonly size: number;
  /** False when the server ignored `Range` and the whole (small) file is held in memory. */
  readonly ranged: boolean;
  readonly contentType: string | null;
  /** Bytes [start, end). */
  read(start: number, end: number): Promise<Uint8Array>;
  readonly stats: { requests: number; bytes: number };
}

export interface RangeReaderOptions {
  /** Block size for aligned reads (default 512 KiB). */
  blockBytes?: number;
  /** Blocks kept in memory (default 16: 8 MiB). */
  cacheBlocks?: number;
  /** Largest single `Range` request (default 8 MiB). */
  maxRequestBytes?: number;
  /** A server that ignores `Range` may send the whole file only up to this size (default 25 MB). */
  maxWholeBytes?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Bytes this reader may fetch in all (a demuxer led astray by its headers stops here): `too_large` past it. */
  maxTotalBytes?: number;
  /** The largest file accepted: a bigger `Content-Range` total is refused after the first request, before reading. */
  maxSize?: number;
}

/**
 * The densest media transcribed (8 Mbit/s: a 1080p video podcast, 48 kHz stereo PCM): a file bigger than the
 * duration limit at this rate cannot fit that limit, and is refused from its declared size.
 */
export const MAX_MEDIA_BYTES_PER_SECOND = 1024 * 1024;

export async function openRangeReader(
  fetch: SafeFetch,
  url: string,
  options: RangeReaderOptions = {},
): Promise<RangeReader> {
  const blockBytes = options.blockBytes ?? 512 * 1024;
  const cacheBlocks = options.cacheBlocks ?? 16;
  const maxRequestBytes = Math.max(blockBytes, options.maxRequestBytes ?? 8 * 1024 * 1024);
  const maxWholeBytes = options.maxWholeBytes ?? 25 * 1024 * 1024;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const stats = { requests: 0, bytes: 0 };
  const maxTotalBytes = options.maxTotalBytes ?? Number.POSITIVE_INFINITY;
  const spend = (bytes: number) => {
    if (stats.bytes + bytes > maxTotalBytes) {
      throw new AppError("too_large", `Reading the media needed more than ${maxTotalBytes} bytes`);
    }
  };

  stats.requests++;
  const first = await fetch(url, {
    headers: { Range: `bytes=0-${blockBytes - 1}` },
    // A server that ignores Range answers with the whole file: acceptable only while it is small.
    maxBytes: Math.max(blockBytes, maxWholeBytes),
    timeoutMs,
    ...(options.signal ? { signal: options.signal } : {}),
  }).catch((error: unknown) => {
    if (error instanceof AppError && error.reason === "too_large") {
      throw new AppError(
        "too_large",
        "The media's server does not allow downloading it in parts, and it is over the size one request may take",
        { cause: error },
      );
    }
    throw error;
  });
  stats.bytes += first.body.byteLength;
  const contentType = first.contentType;
  // Later requests go to the final URL: redirects are re-checked by the fetcher anyway, this saves the hops.
  const target = first.url;

  if (first.status === 200) {
    const whole = first.body;
    return {
      url: target,
      size: whole.byteLength,
      ranged: false,
      contentType,
      stats,
      read: async (start, end) => whole.subarray(start, end),
    };
  }
  const total = Number(/\/(\d+)\s*$/.exec(first.headers["content-range"] ?? "")?.[1] ?? Number.NaN);
  if (first.status !== 206 || !Number.isSafeInteger(total) || total <= 0) {
    throw new AppError("http_error", `The media server answered a range request with HTTP ${first.status}`, {
      status: first.status,
      retriable: first.status >= 500,
    });
  }
  if (options.maxSize !== undefined && total > options.maxSize) {
    throw new AppError("too_large", `The media is ${total} bytes, more than its duration limit can hold`);
  }

  const cache = new Map<number, Promise<Uint8Array>>();
  const remember = (index: number, block: Promise<Uint8Array>) => {
    cache.delete(index);
    cache.set(index, block);
    while (cache.size > cacheBlocks) {
      const oldest = cache.keys().next().value;
      if (oldest === undefined) break;
      cache.delete(oldest);
    }
  };
  remember(0, Promise.resolve(first.body.subarray(0, Math.min(blockBytes, total))));

  const fetchBlocks = async (firstBlock: number, count: number): Promise<Uint8Array> => {
    const start = firstBlock * blockBytes;
    const end = Math.min(total, (firstBlock + count) * blockBytes) - 1;
    spend(end - start + 1);
    stats.requests++;
    const response = await fetch(target, {
      headers: { Range: `bytes=${start}-${end}` },
      maxBytes: end - start + 1,
      timeoutMs,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    stats.bytes += response.body.byteLength;
    const range = /^bytes (\d+)-(\d+)\//.exec(response.headers["content-range"] ?? "");
    if (response.status !== 206 || Number(range?.[1]) !== start || response.body.byteLength !== end - start + 1) {
      throw new AppError("http_error", "The media server stopped honouring range requests", { retriable: true });
    }
    return response.body;
  };

  const blockAt = (index: number): Promise<Uint8Array> | undefined => {
    const block = cache.get(index);
    if (block) remember(index, block);
    return block;
  };

  return {
    url: target,
    size: total,
    ranged: true,
    contentType,
    stats,
    async read(start, end) {
      if (!(start >= 0 && end >= start)) throw new AppError("media_unreadable", `A read of bytes ${start}–${end}`);
      const from = Math.floor(start / blockBytes);
      const to = Math.floor((Math.min(end, total) - 1) / blockBytes);
      const blocks: Promise<Uint8Array>[] = [];
      for (let index = from; index <= to; ) {
        const cached = blockAt(index);
        if (cached) {
          blocks.push(cached);
          index++;
          continue;
        }
        // One request for the run of missing blocks (read-ahead to fill a request when reading forward).
        let run = 1;
        const maxRun = Math.floor(maxRequestBytes / blockBytes);
        while (run < maxRun && (index + run <= to || run < 4) && index + run < Math.ceil(total / blockBytes)) {
          if (cache.has(index + run)) break;
          run++;
        }
        const body = fetchBlocks(index, run);
        for (let k = 0; k < run; k++) {
          const block = body.then((b) => b.subarray(k * blockBytes, (k + 1) * blockBytes));
          // A failed request must not stay cached: the next read asks again.
          block.catch(() => cache.delete(index + k));
          remember(index + k, block);
          if (index + k <= to) blocks.push(block);
        }
        index += run;
      }
      const parts = await Promise.all(blocks);
      const joined = parts.length === 1 ? (parts[0] as Uint8Array) : concat(parts);
      const offset = start - from * blockBytes;
      return joined.subarray(offset, offset + (Math.min(end, total) - start));
    },
  };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/** Headers, indexes and resync reads a probe or a window may need besides the audio itself. */
const HEADER_BYTES = 16 * 1024 * 1024;

/**
 * Bytes one reader may fetch: the headers, the upload limit (a probe may send a small file whole), and
 * `seconds` of the file at its average density with half again for a denser stretch. A job's budget is the sum of
 * its probe's and its windows' (each window is a step of its own, so each enforces its share).
 */
export function readBudget(media: { size: number; duration: number } | null, seconds: number, maxUploadBytes: number) {
  const density = media && media.duration > 0 ? media.size / media.duration : 0;
  return HEADER_BYTES + maxUploadBytes + Math.ceil(1.5 * density * seconds);
}
