import net from "node:net";
import { parseConfig } from "@/lib/env";

/** In CI (REQUIRE_SERVICES=1) a missing service fails the run; on a bare laptop the suite skips and says why. */
export const servicesRequired = parseConfig(process.env).requireServices;

export const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
export const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
/** What a child process started by a test or a benchmark inherits: nothing of this shell's settings but these. */
export const CHILD_ENV = { PATH: process.env.PATH, HOME: process.env.HOME };

function portOpen(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/**
 * Returns true when the service answers. When it does not: throws under REQUIRE_SERVICES, otherwise
 * prints why and returns false so the caller can `describe.skipIf(!available)`.
 */
export async function serviceAvailable(name: "postgres" | "redis"): Promise<boolean> {
  const url = new URL(name === "postgres" ? POSTGRES_URL : REDIS_URL);
  const ok = await portOpen(url.hostname, Number(url.port || (name === "postgres" ? 5432 : 6379)));
  if (ok) return true;
  const message = `${name} is not reachable at ${url.host}`;
  if (servicesRequired) throw new Error(`${message} and REQUIRE_SERVICES=1`);
  console.warn(`skipping ${name} tests: ${message}`);
  return false;
}

/** Chromium for e2e, from Debian's package. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
