import type { ProgressEvent } from "./events";

/** Server-Sent Events framing (WHATWG HTML §9.2). */

export const SSE_HEADERS: Record<string, string> = {
  "Content-Type": "text/event-stream; charset=utf-8",
  // no-transform also keeps proxies and Next from compressing (and so buffering) the stream.
  "Cache-Control": "no-cache, no-transform",
  Connection: "keep-alive",
  "X-Accel-Buffering": "no",
};

const encoder = new TextEncoder();

/** One event: `id:` is the log's seq, so a reconnecting browser resumes exactly after it. */
export function encodeEvent(event: ProgressEvent): Uint8Array {
  return encoder.encode(`id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
}

export function encodeComment(text: string): Uint8Array {
  return encoder.encode(`: ${text.replace(/\n/g, " ")}\n\n`);
}

export function encodeRetry(ms: number): Uint8Array {
  return encoder.encode(`retry: ${Math.round(ms)}\n\n`);
}

/** A relay problem the client should know about; it then reconnects and resumes from its last id. */
export function encodeRelayError(message: string): Uint8Array {
  return encoder.encode(`event: relay.error\ndata: ${JSON.stringify({ message })}\n\n`);
}
