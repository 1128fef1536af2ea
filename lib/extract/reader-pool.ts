import { existsSync } from "node:fs";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { AppError } from "../errors";
import { log } from "../log";
import { detectMediaInHtml, readArticleHtml } from "./html-reader";
import type { ReaderReply, ReaderRequest, ReaderResult } from "./reader-protocol";

/** A worker serves this many pages, or until its heap passes the threshold, then is replaced. */
const PAGES_PER_WORKER = 60;
const HEAP_RECYCLE_BYTES = 200 * 1024 * 1024;
/** A page that takes longer than this is not an article worth waiting for. */
const PAGE_TIMEOUT_MS = 30_000;

// Node runs the worker from its TypeScript source (type stripping); the file ships beside the app.
const WORKER_FILE = path.join(process.cwd(), "lib", "extract", "page-worker.ts");

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

class ReaderPool {
  private worker: Worker | null = null;
  private served = 0;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private disabled = false;

  run<R extends ReaderRequest>(request: R): Promise<ReaderResult<R>> {
    const worker = this.current();
    if (!worker) return Promise.resolve(readInProcess(request));
    const id = this.nextId++;
    return new Promise<ReaderResult<R>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new AppError("timeout", "Reading the page took too long"));
        this.replace();
      }, PAGE_TIMEOUT_MS);
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
      worker.postMessage({ id, request });
    });
  }

  private current(): Worker | null {
    if (this.disabled) return null;
    if (this.worker && this.served < PAGES_PER_WORKER) return this.worker;
    this.retire();
    if (!existsSync(WORKER_FILE)) {
      this.disabled = true;
      log.warn(`extraction worker not found at ${WORKER_FILE}: reading pages in-process`);
      return null;
    }
    const worker = new Worker(WORKER_FILE, { resourceLimits: { maxOldGenerationSizeMb: 512 } });
    worker.unref();
    worker.on("message", (reply: ReaderReply) => this.settle(reply));
    worker.on("error", (error) => this.failAll(worker, error));
    worker.on("exit", (code) => {
      if (code !== 0) this.failAll(worker, new Error(`extraction worker exited with code ${code}`));
    });
    this.worker = worker;
    this.served = 0;
    return worker;
  }

  private settle(reply: ReaderReply): void {
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    this.pending.delete(reply.id);
    clearTimeout(pending.timer);
    this.served += 1;
    if (reply.heapUsed > HEAP_RECYCLE_BYTES) this.served = PAGES_PER_WORKER;
    if (reply.ok) pending.resolve(reply.value);
    else pending.reject(new AppError(reply.reason, reply.message, { retriable: reply.retriable }));
    if (this.served >= PAGES_PER_WORKER && this.pending.size === 0) this.retire();
  }

  private failAll(worker: Worker, cause: Error): void {
    if (this.worker === worker) this.worker = null;
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(
        new AppError("internal", "The extraction worker stopped (out of memory?)", { cause, retriable: true }),
      );
      this.pending.delete(id);
    }
  }

  /** Lets a worker finish what it has, then stops it; the next page starts a fresh one. */
  private retire(): void {
    const old = this.worker;
    this.worker = null;
    if (old && this.pending.size === 0) void old.terminate();
    else if (old) setTimeout(() => void old.terminate(), PAGE_TIMEOUT_MS).unref();
  }

  private replace(): void {
    const old = this.worker;
    this.worker = null;
    if (old) this.failAll(old, new Error("replaced after a timeout"));
    void old?.terminate();
  }
}

function readInProcess<R extends ReaderRequest>(request: R): ReaderResult<R> {
  return (
    request.op === "media"
      ? detectMediaInHtml(request.html, request.url)
      : readArticleHtml(request.html, request.url, request.media)
  ) as ReaderResult<R>;
}

const shared = globalThis as typeof globalThis & { __articleSummarizerReaderPool?: ReaderPool };

/** DOM work in the recycled extraction worker, so the server's own memory stays flat. */
export function readInWorker<R extends ReaderRequest>(request: R): Promise<ReaderResult<R>> {
  shared.__articleSummarizerReaderPool ??= new ReaderPool();
  return shared.__articleSummarizerReaderPool.run(request);
}
