import type { ProgressEvent } from "./events";
import { progressEventSchema } from "./events";
import { MAX_EVENTS_PER_JOB, PROGRESS_TTL_SECONDS } from "./kv";

/**
 * The log is an append-only Redis list per job: an event's seq is its 1-based position, which RPUSH returns.
 * One script caps the list, appends, refreshes the TTL and notifies readers in a single atomic round trip.
 * The notification is "<seq> <event JSON>" (just "<seq>" for an event over PUSH_MAX_BYTES), so a subscriber can
 * relay the event without reading the log back. Returns the new seq, or 0 when the log is full.
 */
export const APPEND_SCRIPT = `
local len = redis.call('LLEN', KEYS[1])
if len >= tonumber(ARGV[2]) then return 0 end
local seq = redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[3])
if string.len(ARGV[1]) <= tonumber(ARGV[5]) then
  redis.call('PUBLISH', ARGV[4], seq .. ' ' .. ARGV[1])
else
  redis.call('PUBLISH', ARGV[4], seq)
end
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

/** Events larger than this are announced by seq only (readers then read the log). */
export const PUSH_MAX_BYTES = 16_384;

export const appendArgs = (payload: string, channel: string): string[] => [
  payload,
  String(MAX_EVENTS_PER_JOB),
  String(PROGRESS_TTL_SECONDS),
  channel,
  String(PUSH_MAX_BYTES),
];

/**
 * Parses a notification of the append script. `event` is present when the message carried it and it is valid;
 * null for anything that is not a notification.
 */
export function parseNotification(message: string): { seq: number; event?: ProgressEvent } | null {
  const space = message.indexOf(" ");
  const seq = Number(space === -1 ? message : message.slice(0, space));
  if (!Number.isSafeInteger(seq) || seq < 1) return null;
  if (space === -1) return { seq };
  try {
    const parsed = progressEventSchema.safeParse({ ...JSON.parse(message.slice(space + 1)), seq });
    return parsed.success ? { seq, event: parsed.data } : { seq };
  } catch {
    // A notification whose body does not parse still says that seq exists; the log is read instead.
    return { seq };
  }
}

/** Stored items omit seq (it is the position); this puts it back. */
export function decodeEvents(raw: readonly string[], after: number): ProgressEvent[] {
  return raw.map((item, i) => progressEventSchema.parse({ ...JSON.parse(item), seq: after + i + 1 }));
}
