import http from "node:http";
import type { AddressInfo } from "node:net";
import type { ProgressKv } from "@/lib/progress/kv";
import { createEventStream, type EventStreamOptions, parseLastEventId, SSE_HEADERS } from "@/lib/progress/relay";

export interface RelayServer {
  origin: string;
  /** Streams currently open. */
  open(): number;
  close(): Promise<void>;
}

/**
 * The relay exactly as the Next.js route runs it (createEventStream on a Request), served by node:http
 * on loopback, so SSE clients can be tested without building the app. Path: /jobs/:id/events.
 */
export async function startRelayServer(
  kv: ProgressKv,
  options: Partial<Pick<EventStreamOptions, "heartbeatMs" | "maxLifetimeMs" | "retryMs">> = {},
): Promise<RelayServer> {
  let open = 0;
  const server = http.createServer(async (req, res) => {
    const request = new Request(`http://relay${req.url}`, { headers: req.headers as Record<string, string> });
    const jobId = new URL(request.url).pathname.split("/")[2] ?? "";
    const controller = new AbortController();
    req.on("close", () => controller.abort());
    res.writeHead(200, SSE_HEADERS);
    open += 1;
    try {
      const stream = createEventStream({
        kv,
        jobId,
        after: parseLastEventId(request),
        signal: controller.signal,
        ...options,
      });
      for await (const chunk of stream) {
        if (res.destroyed) break;
        res.write(chunk);
      }
    } finally {
      open -= 1;
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    open: () => open,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
