import http from "node:http";
import type { AddressInfo } from "node:net";
import { Redis } from "ioredis";

export interface UpstashBridge {
  url: string;
  token: string;
  /** Commands received, for counting KV round trips in benchmarks (a subscription counts once). */
  commands: number;
  /** Subscriptions (event streams) open right now. */
  subscriptions(): number;
  /** When true, SUBSCRIBE is answered with an error, as a REST endpoint without streaming would. */
  refuseSubscribe: boolean;
  /** Ends every open subscription stream, as a proxy or the server dropping long-lived responses would. */
  dropSubscriptions(): void;
  close(): Promise<void>;
}

type Reply = string | number | null | Reply[];

function encode(value: unknown, base64: boolean): Reply {
  if (value === null || value === undefined) return null;
  if (typeof value === "number") return value;
  if (Array.isArray(value)) return value.map((v) => encode(v, base64));
  const text = String(value);
  return base64 ? Buffer.from(text).toString("base64") : text;
}

/**
 * The Upstash REST protocol over a real Redis, on loopback, so @upstash/redis is tested for real:
 * POST / with one command, POST /pipeline with many; Bearer auth; `Upstash-Encoding: base64` honoured;
 * POST /subscribe/<channel> answered as Upstash does, with a long-lived event stream:
 * `data: subscribe,<channel>,1` once subscribed, then `data: message,<channel>,<message>` per PUBLISH (not base64).
 * All streams share one Redis subscriber connection, as a server multiplexing its clients would.
 */
export async function startUpstashBridge(redisUrl: string, token = "bridge-token"): Promise<UpstashBridge> {
  const redis = new Redis(redisUrl);
  const subscriber = new Redis(redisUrl);
  const streams = new Map<string, Set<(line: string) => void>>();
  const subscribed = new Map<string, Promise<unknown>>();
  let open = 0;
  const responses = new Set<http.ServerResponse>();
  subscriber.on("message", (channel: string, message: string) => {
    for (const send of streams.get(channel) ?? []) send(`message,${channel},${message}`);
  });
  const bridge: UpstashBridge = {
    url: "",
    token,
    commands: 0,
    subscriptions: () => open,
    refuseSubscribe: false,
    dropSubscriptions: () => {
      for (const res of responses) res.end();
    },
    close: async () => undefined,
  };
  const subscribe = async (channel: string, res: http.ServerResponse) => {
    bridge.commands += 1;
    if (bridge.refuseSubscribe) {
      res.writeHead(400, { "Content-Type": "application/json" }).end(JSON.stringify({ error: "ERR streaming off" }));
      return;
    }
    res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache" });
    const send = (line: string) => {
      if (!res.destroyed && !res.writableEnded) res.write(`data: ${line}\n\n`);
    };
    let set = streams.get(channel);
    if (!set) {
      set = new Set();
      streams.set(channel, set);
      subscribed.set(channel, subscriber.subscribe(channel));
    }
    const listeners = set;
    open += 1;
    responses.add(res);
    res.on("close", () => {
      open -= 1;
      responses.delete(res);
      listeners.delete(send);
      if (listeners.size === 0 && streams.get(channel) === listeners) {
        streams.delete(channel);
        subscribed.delete(channel);
        void subscriber.unsubscribe(channel).catch(() => undefined);
      }
    });
    // Listening before SUBSCRIBE completes is harmless: nothing is published to a stream before it is subscribed.
    listeners.add(send);
    await subscribed.get(channel);
    send(`subscribe,${channel},1`);
  };
  const server = http.createServer(async (req, res) => {
    if (req.headers.authorization !== `Bearer ${token}`) {
      res.writeHead(401, { "Content-Type": "application/json" }).end(JSON.stringify({ error: "Unauthorized" }));
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.url?.startsWith("/subscribe/")) {
      await subscribe(decodeURIComponent(req.url.slice("/subscribe/".length)), res);
      return;
    }
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown;
    const base64 = req.headers["upstash-encoding"] === "base64";
    const run = async (command: unknown) => {
      bridge.commands += 1;
      const [name, ...args] = (command as (string | number)[]).map(String);
      try {
        return { result: encode(await redis.call(name ?? "PING", ...args), base64) };
      } catch (error) {
        return { error: error instanceof Error ? error.message : String(error) };
      }
    };
    const pipeline = req.url?.startsWith("/pipeline") || req.url?.startsWith("/multi-exec");
    const reply = pipeline ? await Promise.all((body as unknown[]).map(run)) : await run(body);
    res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(reply));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  bridge.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  bridge.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    streams.clear();
    subscriber.disconnect();
    redis.disconnect();
  };
  return bridge;
}
