import http from "node:http";
import type { AddressInfo } from "node:net";
import { Redis } from "ioredis";

export interface UpstashBridge {
  url: string;
  token: string;
  /** Commands received, for counting KV round trips in benchmarks. */
  commands: number;
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
 * POST / with one command, POST /pipeline with many; Bearer auth; `Upstash-Encoding: base64` honoured.
 */
export async function startUpstashBridge(redisUrl: string, token = "bridge-token"): Promise<UpstashBridge> {
  const redis = new Redis(redisUrl);
  const bridge: UpstashBridge = { url: "", token, commands: 0, close: async () => undefined };
  const server = http.createServer(async (req, res) => {
    if (req.headers.authorization !== `Bearer ${token}`) {
      res.writeHead(401, { "Content-Type": "application/json" }).end(JSON.stringify({ error: "Unauthorized" }));
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
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
    redis.disconnect();
  };
  return bridge;
}
