import { EventEmitter } from "node:events";
import { type ProgressEvent, type ProgressInput, progressEventSchema, progressSnapshotSchema } from "./events";
import { MAX_EVENTS_PER_JOB, PROGRESS_TTL_SECONDS, type ProgressKv } from "./kv";
import { waitForSignal } from "./wait";

interface JobLog {
  events: string[];
  snapshot?: string;
  expiresAt: number;
}

/**
 * One process only: the writer and the reader must be the same process (development, CLI, tests).
 * Values are stored as JSON strings, exactly as the Redis adapters store them, so all adapters behave alike.
 */
export function createMemoryKv(now: () => number = Date.now): ProgressKv {
  const logs = new Map<string, JobLog>();
  const appended = new EventEmitter();
  appended.setMaxListeners(0);

  const logOf = (jobId: string): JobLog => {
    const existing = logs.get(jobId);
    if (existing && existing.expiresAt > now()) return existing;
    const fresh: JobLog = { events: [], expiresAt: now() + PROGRESS_TTL_SECONDS * 1000 };
    logs.set(jobId, fresh);
    return fresh;
  };

  return {
    kind: "memory",
    async append(input: ProgressInput) {
      const log = logOf(input.jobId);
      if (log.events.length >= MAX_EVENTS_PER_JOB) throw new Error(`progress log of ${input.jobId} is full`);
      const event: ProgressEvent = { ...input, seq: log.events.length + 1 };
      log.events.push(JSON.stringify(event));
      log.expiresAt = now() + PROGRESS_TTL_SECONDS * 1000;
      appended.emit(input.jobId);
      return event;
    },
    async readAfter(jobId, after, limit = 500) {
      const log = logs.get(jobId);
      if (!log) return [];
      return log.events.slice(after, after + limit).map((raw) => progressEventSchema.parse(JSON.parse(raw)));
    },
    async waitForEvents(jobId, after, timeoutMs, signal) {
      if ((logs.get(jobId)?.events.length ?? 0) > after) return [];
      await waitForSignal(
        (wake) => {
          appended.on(jobId, wake);
          return () => appended.off(jobId, wake);
        },
        timeoutMs,
        signal,
      );
      return [];
    },
    async liveMode() {
      return "push";
    },
    async count(jobId) {
      return logs.get(jobId)?.events.length ?? 0;
    },
    async getSnapshot(jobId) {
      const raw = logs.get(jobId)?.snapshot;
      return raw ? progressSnapshotSchema.parse(JSON.parse(raw)) : null;
    },
    async setSnapshot(snapshot) {
      logOf(snapshot.jobId).snapshot = JSON.stringify(snapshot);
    },
    async remove(jobIds) {
      for (const jobId of jobIds) logs.delete(jobId);
    },
    async ping() {
      return true;
    },
    async close() {
      appended.removeAllListeners();
    },
  };
}
