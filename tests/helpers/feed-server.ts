import { createHash } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

/** One feed item as the loopback server writes it; a missing guid/link/enclosure is left out of the XML. */
export interface FeedItemSpec {
  guid?: string;
  link?: string;
  enclosure?: string;
  title: string;
  pubDate?: string;
  description?: string;
}

const escapeXml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

export function rss(title: string, items: FeedItemSpec[]): string {
  const entries = items.map((i) =>
    [
      "<item>",
      `<title>${escapeXml(i.title)}</title>`,
      i.guid ? `<guid isPermaLink="false">${escapeXml(i.guid)}</guid>` : "",
      i.link ? `<link>${escapeXml(i.link)}</link>` : "",
      i.enclosure ? `<enclosure url="${escapeXml(i.enclosure)}" type="audio/mpeg" length="1"/>` : "",
      i.pubDate ? `<pubDate>${i.pubDate}</pubDate>` : "",
      `<description>${escapeXml(i.description ?? "")}</description>`,
      "</item>",
    ].join(""),
  );
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>${escapeXml(title)}</title><link>http://example.invalid/</link>${entries.join("")}</channel></rss>`;
}

export interface Route {
  status?: number;
  type?: string;
  body?: string | (() => string);
  headers?: Record<string, string>;
  /** Streams this many bytes of XML-ish filler instead of `body` (a huge feed), without building it in memory. */
  streamBytes?: number;
  /** Answer with an ETag of the body, and 304 to a matching If-None-Match. */
  etag?: boolean;
}

export interface FeedServer {
  origin: string;
  hostPort: string;
  routes: Map<string, Route>;
  /** Requests seen, by path, with their conditional headers. */
  requests: { path: string; ifNoneMatch?: string; status: number }[];
  close(): Promise<void>;
}

export async function startFeedServer(): Promise<FeedServer> {
  const routes = new Map<string, Route>();
  const requests: FeedServer["requests"] = [];
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const route = routes.get(path);
    const ifNoneMatch = req.headers["if-none-match"];
    const log = (status: number) =>
      requests.push({ path, status, ...(typeof ifNoneMatch === "string" ? { ifNoneMatch } : {}) });
    req.resume();
    if (!route) {
      log(404);
      res.writeHead(404).end();
      return;
    }
    if (route.streamBytes) {
      log(200);
      res.writeHead(200, { "Content-Type": route.type ?? "application/rss+xml" });
      const chunk = Buffer.from(`<item><title>${"x".repeat(1000)}</title></item>`);
      let sent = 0;
      res.write('<?xml version="1.0"?><rss version="2.0"><channel><title>Huge</title>');
      const pump = () => {
        while (sent < (route.streamBytes ?? 0)) {
          sent += chunk.length;
          if (!res.write(chunk)) {
            res.once("drain", pump);
            return;
          }
        }
        res.end("</channel></rss>");
      };
      res.on("error", () => undefined);
      pump();
      return;
    }
    const body = typeof route.body === "function" ? route.body() : (route.body ?? "");
    const tag = `"${createHash("sha1").update(body).digest("hex")}"`;
    if (route.etag && ifNoneMatch === tag) {
      log(304);
      res.writeHead(304, { ETag: tag }).end();
      return;
    }
    const status = route.status ?? 200;
    log(status);
    res
      .writeHead(status, {
        "Content-Type": route.type ?? "application/rss+xml; charset=utf-8",
        ...(route.etag ? { ETag: tag } : {}),
        ...route.headers,
      })
      .end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `http://127.0.0.1:${port}`,
    hostPort: `127.0.0.1:${port}`,
    routes,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
