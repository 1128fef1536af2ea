import { existsSync } from "node:fs";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { AppError } from "../errors";
import { createLogger, type Logger } from "../log";
import type { Reader, ReaderReply, ReaderRequest, ReaderResult } from "./reader-protocol";

export interface ReaderPoolOptions {
  /** A worker serves this many pages, or until its heap passes `heapRecycleMb`, then is replaced. */
  pagesPerWorker: number;
  heapRecycleMb: number;
  /** The worker's hard heap limit: a page that needs more fails alone instead of taking the server down. */
  maxHeapMb: number;
  /** Short-lived DOM garbage dies young; a small nursery keeps the worker's footprint down. */
  youngHeapMb: number;
  /** Pages longer than this get a worker of their own with `bigPageHeapMb`, stopped right after. */
  bigPageChars: number;
  bigPageHeapMb: number;
  /** A page that takes longer than this is not an article worth waiting for. */
  pageTimeoutMs: number;
}

/**
 * Measured here: jsdom's closed windows are collected only after the task that made them ends — a synchronous
 * loop over pages grows by megabytes per page, one page per message stays flat. The worker's capped heap makes
 * V8 collect early, so one warm worker (its JIT matters: a fresh one reads its first pages at half speed)
 * serves many pages; recycling is the safety net.
 */
const DEFAULTS: ReaderPoolOptions = {
  pagesPerWorker: 500,
  heapRecycleMb: 224,
  maxHeapMb: 256,
  youngHeapMb: 16,
  bigPageChars: 1_500_000,
  bigPageHeapMb: 768,
  pageTimeoutMs: 30_000,
};

// Node runs the worker from its TypeScript source (type stripping); the file ships beside the app.
const WORKER_FILE = path.join(process.cwd(), "lib", "extract", "page-worker.ts");

interface Pending {
  slot: Slot;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

interface Slot {
  worker: Worker;
  dispatched: number;
  inFlight: number;
  retired: boolean;
}

/**
 * DOM work in worker threads that are replaced after `pagesPerWorker` pages (500) or a heap past `heapRecycleMb`, so jsdom's retained memory never
 * accumulates in the server. The next worker starts when the current one is nearly used up, so nobody waits
 * for jsdom to load.
 */
export class ReaderPool implements Reader {
  private active: Slot | null = null;
  private spare: Slot | null = null;
  private nextId = 1;
  private started = 0;
  private running = 0;
  private readonly pending = new Map<number, Pending>();
  private readonly options: ReaderPoolOptions;
  private readonly workerFile: string | null;

  constructor(options: Partial<ReaderPoolOptions> = {}, workerFile = WORKER_FILE, logger: Logger = createLogger()) {
    this.options = { ...DEFAULTS, ...options };
    // The worker and what it imports ship through outputFileTracingIncludes (next.config.ts), not by tracing.
    this.workerFile = existsSync(/*turbopackIgnore: true*/ workerFile) ? workerFile : null;
    if (!this.workerFile) logger.warn("extraction worker not found: reading pages in-process", { workerFile });
  }

  read<R extends ReaderRequest>(request: R): Promise<ReaderResult<R>> {
    return this.readSized(request, request.html.length > this.options.bigPageChars);
  }

  private async readSized<R extends ReaderRequest>(request: R, big: boolean): Promise<ReaderResult<R>> {
    try {
      return await this.dispatch(request, big ? this.oneOff() : this.current());
    } catch (error) {
      if (!(error instanceof WorkerOutOfMemory)) throw error;
      if (big) {
        throw new AppError("too_large", "The page is too large to read: it exhausted the extraction worker's memory", {
          cause: error,
        });
      }
      // A page that outgrew the shared worker gets one of its own, with the big-page heap.
      return this.readSized(request, true);
    }
  }

  private dispatch<R extends ReaderRequest>(request: R, slot: Slot | null): Promise<ReaderResult<R>> {
    if (!slot) return readInProcess(request);
    const id = this.nextId++;
    slot.dispatched += 1;
    slot.inFlight += 1;
    return new Promise<ReaderResult<R>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new AppError("timeout", "Reading the page took too long"));
        this.fail(slot, new Error("a page timed out"));
      }, this.options.pageTimeoutMs);
      this.pending.set(id, { slot, resolve: resolve as (value: unknown) => void, reject, timer });
      slot.worker.postMessage({ id, request });
    });
  }

  /** Workers started so far (shared, spare and one-off): how often the pool replaced or added one. */
  get workersStarted(): number {
    return this.started;
  }

  /** Workers whose thread has not exited yet: a retired, failed or one-off worker leaves this count once it stops. */
  get workersRunning(): number {
    return this.running;
  }

  /** Stops every worker (tests, shutdown). */
  async close(): Promise<void> {
    const slots = [this.active, this.spare].filter((s): s is Slot => s !== null);
    this.active = null;
    this.spare = null;
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  private current(): Slot | null {
    if (!this.workerFile) return null;
    const { pagesPerWorker } = this.options;
    if (this.active && this.active.dispatched < pagesPerWorker) {
      if (!this.spare && this.active.dispatched >= pagesPerWorker * 0.9) this.spare = this.start(this.workerFile);
      return this.active;
    }
    if (this.active) this.retire(this.active);
    this.active = this.spare ?? this.start(this.workerFile);
    this.spare = null;
    return this.active;
  }

  /** A rare huge page should not make every worker big: it gets one for itself. */
  private oneOff(): Slot | null {
    if (!this.workerFile) return null;
    const slot = this.start(this.workerFile, this.options.bigPageHeapMb);
    slot.retired = true;
    return slot;
  }

  private start(file: string, maxHeapMb = this.options.maxHeapMb): Slot {
    const worker = new Worker(file, {
      resourceLimits: {
        maxOldGenerationSizeMb: maxHeapMb,
        maxYoungGenerationSizeMb: this.options.youngHeapMb,
      },
    });
    const slot: Slot = { worker, dispatched: 0, inFlight: 0, retired: false };
    this.started += 1;
    this.running += 1;
    worker.on("message", (reply: ReaderReply) => this.settle(slot, reply));
    worker.on("error", (error) => this.fail(slot, error));
    worker.on("exit", (code) => {
      this.running -= 1;
      this.fail(slot, new Error(`extraction worker exited with code ${code}`));
    });
    // After the listeners: adding a "message" listener refs the port again. An idle worker never holds the
    // process open; a pending page does, through its timeout timer.
    worker.unref();
    return slot;
  }

  private settle(slot: Slot, reply: ReaderReply): void {
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    this.pending.delete(reply.id);
    clearTimeout(pending.timer);
    slot.inFlight -= 1;
    if (reply.heapUsed > this.options.heapRecycleMb * 1024 * 1024) this.retire(slot);
    else if (slot.retired && slot.inFlight === 0) void slot.worker.terminate();
    if (reply.ok) pending.resolve(reply.value);
    else pending.reject(new AppError(reply.reason, reply.message, { retriable: reply.retriable }));
  }

  /** No new pages for this worker; it stops once the ones it has are answered. */
  private retire(slot: Slot): void {
    slot.retired = true;
    if (this.active === slot) this.active = null;
    if (slot.inFlight === 0) void slot.worker.terminate();
  }

  /** The worker died or hung: its pages fail (retriable) and it is replaced. */
  private fail(slot: Slot, cause: Error): void {
    if (this.active === slot) this.active = null;
    if (this.spare === slot) this.spare = null;
    const outOfMemory = (cause as { code?: string }).code === "ERR_WORKER_OUT_OF_MEMORY";
    for (const [id, pending] of this.pending) {
      if (pending.slot !== slot) continue;
      clearTimeout(pending.timer);
      this.pending.delete(id);
      pending.reject(
        outOfMemory
          ? new WorkerOutOfMemory(cause)
          : new AppError("internal", "The extraction worker stopped", { cause, retriable: true }),
      );
    }
    if (!slot.retired) {
      slot.retired = true;
      void slot.worker.terminate();
    }
  }
}

class WorkerOutOfMemory extends AppError {
  constructor(cause: Error) {
    super("internal", "The extraction worker ran out of memory", { cause, retriable: true });
  }
}

/** Without the worker file (an unusual bundle), pages are read in-process; jsdom loads only then. */
async function readInProcess<R extends ReaderRequest>(request: R): Promise<ReaderResult<R>> {
  const { detectMediaInHtml, readArticleHtml, sanitizeFragment } = await import("./html-reader");
  return (
    request.op === "media"
      ? detectMediaInHtml(request.html, request.url)
      : request.op === "sanitize"
        ? sanitizeFragment(request.html)
        : readArticleHtml(request.html, request.url, request.media)
  ) as ReaderResult<R>;
}

/** DOM work in the recycled extraction worker, so the server's own memory stays flat. */
export function createReader({ logger, ...options }: Partial<ReaderPoolOptions> & { logger?: Logger } = {}): Reader {
  return new ReaderPool(options, WORKER_FILE, logger);
}
