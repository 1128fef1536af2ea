import { createHash } from "node:crypto";
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
  id: number;
  request: ReaderRequest;
  slot: Slot;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  /** Armed while the page is the one its worker is reading (the head of the slot's queue), not while it waits. */
  timer: ReturnType<typeof setTimeout> | null;
}

interface Slot {
  worker: Worker;
  dispatched: number;
  inFlight: number;
  retired: boolean;
  /** Page ids in the order the worker reads them. */
  queue: number[];
  oneOff: boolean;
  /** The thread is running: a page's clock does not include the worker's start. */
  online: boolean;
}

/** Pages (by content) remembered as having timed out: the second timeout of the same page is not retriable. */
const TIMED_OUT_REMEMBERED = 256;
const contentKey = (request: ReaderRequest) =>
  createHash("sha256").update(request.op).update("\0").update(request.html).digest("base64url");

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
  private readonly timedOut = new Map<string, number>();
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
    return new Promise<ReaderResult<R>>((resolve, reject) => {
      const pending: Pending = { id, request, slot, resolve: resolve as (value: unknown) => void, reject, timer: null };
      this.pending.set(id, pending);
      this.send(pending, slot);
    });
  }

  private send(pending: Pending, slot: Slot): void {
    pending.slot = slot;
    slot.dispatched += 1;
    slot.inFlight += 1;
    slot.queue.push(pending.id);
    // A worker with pages to read holds the process open (its page timer is not armed before it is online).
    if (slot.inFlight === 1) slot.worker.ref();
    if (slot.queue.length === 1 && slot.online) this.arm(pending);
    slot.worker.postMessage({ id: pending.id, request: pending.request });
  }

  /** The page's clock starts when its worker starts reading it: time spent queued behind another page is not its own. */
  private arm(pending: Pending): void {
    pending.timer = setTimeout(() => this.timeOut(pending), this.options.pageTimeoutMs);
  }

  /**
   * Only the page that took too long fails; the worker is stopped (it may be stuck in a parse) and the pages queued
   * behind it move to a fresh worker. The same page timing out a second time is not retried again.
   */
  private timeOut(pending: Pending): void {
    const slot = pending.slot;
    this.forget(pending);
    const key = contentKey(pending.request);
    const times = (this.timedOut.get(key) ?? 0) + 1;
    this.timedOut.delete(key);
    this.timedOut.set(key, times);
    if (this.timedOut.size > TIMED_OUT_REMEMBERED) this.timedOut.delete(this.timedOut.keys().next().value ?? "");
    pending.reject(new AppError("timeout", "Reading the page took too long", { retriable: times < 2 }));
    this.rehome(slot);
  }

  private forget(pending: Pending): void {
    if (pending.timer) clearTimeout(pending.timer);
    pending.timer = null;
    this.pending.delete(pending.id);
    const slot = pending.slot;
    slot.inFlight -= 1;
    const at = slot.queue.indexOf(pending.id);
    if (at >= 0) slot.queue.splice(at, 1);
    if (slot.inFlight === 0) slot.worker.unref();
  }

  /** Stops a worker and sends the pages it still holds, in order, to another. */
  private rehome(slot: Slot): void {
    if (this.active === slot) this.active = null;
    if (this.spare === slot) this.spare = null;
    slot.retired = true;
    const waiting = slot.queue.map((id) => this.pending.get(id)).filter((p): p is Pending => p !== undefined);
    for (const pending of waiting) {
      this.forget(pending);
      this.pending.set(pending.id, pending);
      const next = slot.oneOff ? this.oneOff() : this.current();
      if (next) this.send(pending, next);
      else readInProcess(pending.request).then(pending.resolve, pending.reject);
    }
    void slot.worker.terminate();
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
    slot.oneOff = true;
    return slot;
  }

  private start(file: string, maxHeapMb = this.options.maxHeapMb): Slot {
    const worker = new Worker(file, {
      resourceLimits: {
        maxOldGenerationSizeMb: maxHeapMb,
        maxYoungGenerationSizeMb: this.options.youngHeapMb,
      },
    });
    const slot: Slot = { worker, dispatched: 0, inFlight: 0, retired: false, queue: [], oneOff: false, online: false };
    this.started += 1;
    this.running += 1;
    worker.on("message", (reply: ReaderReply) => this.settle(slot, reply));
    worker.on("online", () => {
      slot.online = true;
      const head = this.pending.get(slot.queue[0] ?? -1);
      if (head && !head.timer) this.arm(head);
    });
    worker.on("error", (error) => this.fail(slot, error));
    worker.on("exit", (code) => {
      this.running -= 1;
      this.fail(slot, new Error(`extraction worker exited with code ${code}`));
    });
    // After the listeners: adding a "message" listener refs the port again. An idle worker never holds the
    // process open; one with pages to read does (send/forget).
    worker.unref();
    return slot;
  }

  private settle(slot: Slot, reply: ReaderReply): void {
    const pending = this.pending.get(reply.id);
    if (!pending || pending.slot !== slot) return;
    this.forget(pending);
    const next = this.pending.get(slot.queue[0] ?? -1);
    if (next && !next.timer) this.arm(next);
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
    for (const pending of [...this.pending.values()]) {
      if (pending.slot !== slot) continue;
      this.forget(pending);
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
