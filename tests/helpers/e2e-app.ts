import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { Redis } from "ioredis";
import { type Browser, type BrowserContext, chromium } from "playwright-core";
import { ensureFreshBuild, freePort, ROOT, waitForHttp } from "./app-server";
import { CHILD_ENV, CHROMIUM_PATH, REDIS_URL } from "./services";

export const E2E_PASSWORD = "e2e-password-not-secret";
export const E2E_TOKEN = "e2e-token-not-secret-0123456789abcdef";

export interface E2eApp {
  baseUrl: string;
  browser: Browser;
  /** A browser context already signed in (through the login API, not the form). */
  signedIn: BrowserContext;
  /** Closes the browser and stops the server's whole process group. */
  stop(): Promise<void>;
}

export interface E2eAppOptions {
  /** Production never runs on PGlite (instrumentation.ts refuses it): a fresh PostgreSQL database. */
  databaseUrl: string;
  /** What the suite adds to the environment every e2e server gets (the fetch allowlist, the fake LLM…). */
  env?: Record<string, string>;
  /** Chromium flags beyond the headless, quiet set. */
  browserArgs?: string[];
}

/** Sends the whole process group SIGTERM (next-server outlives a launcher that died) and awaits the launcher. */
async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.pid === undefined) return;
  const running = child.exitCode === null && child.signalCode === null;
  const exited = running ? new Promise<void>((resolve) => child.once("exit", () => resolve())) : Promise.resolve();
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch (error) {
    // ESRCH: the whole group is gone already.
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
  await exited;
}

/**
 * `next start` on the repository's build (built first if there is none, or it is older than the code) on a free
 * loopback port, Debian's Chromium, and a signed-in browser context: what the admin and reader e2e suites share.
 * Whatever started is stopped again if a later step fails, since the caller has nothing to stop yet.
 */
export async function startE2eApp(options: E2eAppOptions): Promise<E2eApp> {
  ensureFreshBuild();
  const baseUrl = `http://127.0.0.1:${await freePort()}`;
  // Its own process group, so stopping it stops next-server and not just the launcher.
  const app = spawn(
    path.join(ROOT, "node_modules/.bin/next"),
    ["start", "-p", new URL(baseUrl).port, "-H", "127.0.0.1"],
    {
      cwd: ROOT,
      detached: true,
      stdio: ["ignore", "inherit", "inherit"],
      env: {
        ...CHILD_ENV,
        NODE_ENV: "production",
        ADMIN_PASSWORD: E2E_PASSWORD,
        ADMIN_TOKEN: E2E_TOKEN,
        SESSION_SECRET: "e2e-session-secret-with-at-least-32-characters",
        PIPELINE_RUNNER: "inline",
        REDIS_URL: `${REDIS_URL}/0`,
        DATABASE_URL: options.databaseUrl,
        ...options.env,
      },
    },
  );
  let browser: Browser | undefined;
  try {
    await waitForHttp(`${baseUrl}/api/health`, 120_000);
    // Sign-ins are rate-limited in this shared Redis (10 per address per 15 min; every client here is loopback):
    // earlier runs on this machine must not lock this one out.
    const redis = new Redis(`${REDIS_URL}/0`);
    await redis.del("as:ratelimit:login:ip:127.0.0.1", "as:ratelimit:login:ip:unknown", "as:ratelimit:login:global");
    await redis.quit();
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        ...(options.browserArgs ?? []),
      ],
    });
    const signedIn = await browser.newContext();
    const login = await signedIn.request.post(`${baseUrl}/api/auth/login`, { data: { password: E2E_PASSWORD } });
    if (!login.ok()) throw new Error(`login: HTTP ${login.status()}`);
    const started = browser;
    return {
      baseUrl,
      browser: started,
      signedIn,
      stop: async () => {
        await started.close();
        await stopGroup(app);
      },
    };
  } catch (error) {
    await browser?.close();
    await stopGroup(app);
    throw error;
  }
}
