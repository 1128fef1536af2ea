import http from "node:http";
import { readConfig } from "@/lib/env";
import { INLINE_TASKS, startInlineCron } from "@/lib/jobs/inline-cron";
import { submitJob } from "@/lib/jobs/service";
import { sweepStaleJobs } from "@/lib/jobs/sweep";
import { buildServices } from "@/lib/services";

/**
 * The crash soak's server (bench/crash-soak.ts): the app's own composition root, inline runner, start-up sweep and
 * inline cron, as `next start` builds them, behind one route (`POST /jobs {url}` → submitJob). Configured by the
 * environment like the app; the port is the first argument.
 */
const port = Number(process.argv[2] ?? 0);
const services = await buildServices(readConfig());
sweepStaleJobs(services).catch((error: unknown) => services.logger.warn("start-up sweep failed", { error }));
startInlineCron(services, INLINE_TASKS);

const server = http.createServer(async (req, res) => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    const { url } = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { url: string };
    const submitted = await submitJob({ url, force: true }, services);
    res.writeHead(202, { "Content-Type": "application/json" }).end(JSON.stringify(submitted));
  } catch (error) {
    services.logger.error("submit failed", { error });
    res.writeHead(500).end(String(error));
  }
});
server.listen(port, "127.0.0.1", () => services.logger.warn("soak server listening", { port }));
