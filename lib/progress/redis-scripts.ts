import type { ProgressEvent } from "./events";
import { progressEventSchema } from "./events";
import { MAX_EVENTS_PER_JOB, PROGRESS_TTL_SECONDS } from "./kv";

/**
 * The log is an append-only Redis list per job: an event's seq is its 1-based position, which RPUSH returns.
 * One script caps the list, appends, refreshes the TTL and notifies readers in a single atomic round trip.
 * Returns the new seq, or 0 when the log is full.
 */
export const APPEND_SCRIPT = `
local len = redis.call('LLEN', KEYS[1])
if len >= tonumber(ARGV[2]) then return 0 end
local seq = redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('PUBLISH', ARGV[4], seq)
return seq
`;

export interface KeyScheme {
  events(jobId: string): string;
  snapshot(jobId: string): string;
  channel(jobId: string): string;
}

export function keyScheme(prefix = "progress"): KeyScheme {
  return {
    events: (jobId) => `${prefix}:${jobId}:events`,
    snapshot: (jobId) => `${prefix}:${jobId}:snapshot`,
    channel: (jobId) => `${prefix}:${jobId}:appended`,
  };
}

export const appendArgs = (payload: string, channel: string): string[] => [
  payload,
  String(MAX_EVENTS_PER_JOB),
  String(PROGRESS_TTL_SECONDS),
  channel,
];

/** Stored items omit seq (it is the position); this puts it back. */
export function decodeEvents(raw: readonly string[], after: number): ProgressEvent[] {
  return raw.map((item, i) => progressEventSchema.parse({ ...JSON.parse(item), seq: after + i + 1 }));
}
