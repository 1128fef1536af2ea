import { randomUUID } from "node:crypto";
import os from "node:os";
import { AppError, toAppError } from "../errors";
import { sleep } from "../progress/wait";
import { DEFAULT_THROTTLE, type ImportOptions, type ImportServices, type ImportThrottle, runImport } from "./service";

export interface InlineImportOptions extends ImportOptions {
  throttle?: ImportThrottle;
  /** How long an import stays ours without a heartbeat (default 30 s); renewed every third of that. */
  leaseMs?: number;
  /** Attempts of a run that fails on a retriable error (storage, DNS) before the import is failed. */
  attempts?: number;
}

export interface InlineImportRunner {
  /**
   * Starts the import's run in this process unless another process holds it. `keepAlive` keeps the host alive until
   * the run ends: `after()` when a request starts it (a one-server process stays up by itself).
   */
  start(importId: string, keepAlive?: (work: Promise<void>) => void): void;
  /** Runs every active import whose runner stopped (its lease expired): a restarted server picks them up. */
  resumeAbandoned(): Promise<number>;
  /** Resolves when this process's run of the import has ended. */
  wait(importId: string): Promise<void>;
  /** Stops this process's heartbeats and runs without releasing their leases, as a killed process would (tests). */
  halt(): void;
}

/**
 * The import's background run in this process (the inline runner's counterpart): the same `runImport`
 * composition, its steps plain calls (each is idempotent on the import's rows, so running one again is harmless),
 * under a lease its heartbeat renews. When the process dies the lease runs out and the inline cron's next tick (a
 * minute at most after a restart), or the next look at the import's progress, resumes it from its rows.
 */
export function createInlineImportRunner(
  services: ImportServices,
  options: InlineImportOptions = {},
): InlineImportRunner {
  const owner = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const leaseMs = options.leaseMs ?? 30_000;
  const attempts = options.attempts ?? 3;
  const throttle = options.throttle ?? DEFAULT_THROTTLE;
  const running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  const heartbeats = new Set<NodeJS.Timeout>();
  let halted = false;

  async function run(importId: string, controller: AbortController): Promise<void> {
    const { signal } = controller;
    if (!(await services.store.leaseImport(importId, owner, leaseMs))) return;
    const logger = services.logger.child({ importId });
    const heartbeat = setInterval(() => {
      services.store.leaseImport(importId, owner, leaseMs).then(
        (held) => {
          if (!held) controller.abort();
        },
        (error: unknown) => logger.warn("could not renew the import's lease", { error }),
      );
    }, leaseMs / 3);
    heartbeat.unref();
    heartbeats.add(heartbeat);
    try {
      const step = {
        run<T>(_id: string, fn: () => Promise<T>): Promise<T> {
          if (signal.aborted) throw new AppError("cancelled", "The import's run stopped");
          return fn();
        },
      };
      for (let attempt = 1; ; attempt++) {
        try {
          await runImport(importId, step, services, throttle, options);
          return;
        } catch (error) {
          if (signal.aborted) return;
          const appError = toAppError(error);
          if (!appError.retriable || attempt >= attempts) {
            logger.error("import failed", { reason: appError.reason, error: appError });
            await services.store.setImportStatus(importId, "failed", appError.toPublic().message);
            return;
          }
          logger.warn("import step failed; trying again", { attempt, reason: appError.reason });
          await sleep(1_000 * 2 ** attempt, signal);
        }
      }
    } finally {
      clearInterval(heartbeat);
      heartbeats.delete(heartbeat);
      // A halted run keeps its lease, as a killed process would; otherwise the import is free again.
      if (!halted) {
        await services.store.releaseImport(importId, owner).catch((error: unknown) => {
          logger.warn("could not release the import's lease (it expires by itself)", { error });
        });
      }
    }
  }

  function start(importId: string, keepAlive?: (work: Promise<void>) => void): void {
    if (running.has(importId)) return;
    const controller = new AbortController();
    const done = run(importId, controller)
      .catch((error: unknown) => services.logger.error("inline import crashed", { importId, error }))
      .finally(() => {
        if (running.get(importId)?.controller === controller) running.delete(importId);
      });
    running.set(importId, { controller, done });
    keepAlive?.(done);
  }

  return {
    start,
    async resumeAbandoned() {
      const ids = await services.store.listAbandonedImports(20);
      for (const id of ids) start(id);
      return ids.length;
    },
    async wait(importId) {
      await running.get(importId)?.done;
    },
    halt() {
      halted = true;
      for (const heartbeat of heartbeats) clearInterval(heartbeat);
      for (const { controller } of running.values()) controller.abort();
    },
  };
}
