import { createHash, timingSafeEqual } from "node:crypto";
import { sealData, unsealData } from "iron-session";
import type { Config } from "../env";
import type { Logger } from "../log";

export const SESSION_COOKIE = "as_session";
export const SESSION_TTL_SECONDS = 7 * 24 * 60 * 60;

interface SessionData {
  admin: true;
  iat: number;
  /** The session version when it was issued: signing out bumps the stored version, revoking every older cookie. */
  ver: number;
}

export interface Credentials {
  authorization?: string | null;
  sessionCookie?: string | null;
  /** The request's Host header: the open development mode only applies on localhost. */
  host?: string | null;
  /** The current session version (the Store's), read only when a cookie is presented. */
  sessionVersion?: () => Promise<number>;
}

/**
 * The cookie key: SESSION_SECRET, or in development one derived from the password so a restart keeps
 * people signed in. Production refuses to start without SESSION_SECRET (lib/env.ts).
 */
function sessionPassword(config: Config): string | undefined {
  if (config.auth.sessionSecret) return config.auth.sessionSecret;
  if (config.auth.password && !config.production) {
    return createHash("sha256").update(`article-summarizer-dev-session:${config.auth.password}`).digest("hex");
  }
  return undefined;
}

function safeEqual(a: string, b: string): boolean {
  const ha = createHash("sha256").update(a).digest();
  const hb = createHash("sha256").update(b).digest();
  return timingSafeEqual(ha, hb);
}

export function authConfigured(config: Config): boolean {
  return Boolean(config.auth.password || config.auth.token);
}

let warnedOpen = false;

/** Development with no password and no token, on localhost: open, with a warning printed once. */
export function isOpenDevelopment(config: Config, host: string | null | undefined, logger: Logger): boolean {
  if (config.production || authConfigured(config)) return false;
  const hostname = (host ?? "").replace(/:\d+$/, "").replace(/^\[|\]$/g, "");
  const local = hostname === "localhost" || hostname === "127.0.0.1" || hostname === "::1";
  if (local && !warnedOpen) {
    warnedOpen = true;
    logger.warn("ADMIN_PASSWORD and ADMIN_TOKEN are not set: the admin is open to localhost only (development).");
  }
  return local;
}

/** Where the session version is kept: the Store (lib/store/store.ts), so losing the KV never revives a cookie. */
export interface SessionVersions {
  sessionVersion(): Promise<number>;
  revokeSessions(): Promise<number>;
}

/** A cookie that is a sealed session of the current version (signing out needs one). */
export async function isValidSession(
  cookie: string,
  config: Config,
  sessionVersion: () => Promise<number>,
): Promise<boolean> {
  const data = await readSession(cookie, config);
  return data !== null && data.ver === (await sessionVersion());
}

/**
 * Signing out: every session issued so far is revoked (the stored version moves on), but only when the presented
 * cookie is a valid session — anyone can send a garbage cookie, and it must not sign the admin out everywhere.
 * True when sessions were revoked.
 */
export async function signOut(cookie: string | undefined, config: Config, versions: SessionVersions): Promise<boolean> {
  if (!cookie || !(await isValidSession(cookie, config, () => versions.sessionVersion()))) return false;
  await versions.revokeSessions();
  return true;
}

export async function isAuthorized(credentials: Credentials, config: Config, logger: Logger): Promise<boolean> {
  const bearer = /^Bearer\s+(.+)$/i.exec(credentials.authorization ?? "")?.[1]?.trim();
  if (bearer && config.auth.token && safeEqual(bearer, config.auth.token)) return true;
  if (credentials.sessionCookie) {
    const version = credentials.sessionVersion ?? (async () => 0);
    if (await isValidSession(credentials.sessionCookie, config, version)) return true;
  }
  return isOpenDevelopment(config, credentials.host, logger);
}

export function checkPassword(candidate: string, config: Config): boolean {
  return Boolean(config.auth.password) && safeEqual(candidate, config.auth.password ?? "");
}

export async function createSession(config: Config, version = 0): Promise<string> {
  const password = sessionPassword(config);
  if (!password) throw new Error("Sessions need ADMIN_PASSWORD (and SESSION_SECRET in production)");
  const data: SessionData = { admin: true, iat: Date.now(), ver: version };
  return sealData(data, { password, ttl: SESSION_TTL_SECONDS });
}

async function readSession(cookie: string, config: Config): Promise<SessionData | null> {
  const password = sessionPassword(config);
  if (!password) return null;
  try {
    const data = await unsealData<Partial<SessionData>>(cookie, { password, ttl: SESSION_TTL_SECONDS });
    return data.admin === true && typeof data.ver === "number" && typeof data.iat === "number"
      ? { admin: true, iat: data.iat, ver: data.ver }
      : null;
  } catch {
    // A tampered or expired cookie is simply not a session.
    return null;
  }
}
