import { cookies, headers } from "next/headers";
import { createSession, isAuthorized, SESSION_COOKIE, type SessionVersions, signOut } from "../auth/auth";
import { AppError } from "../errors";
import { getConfig, getLogger, getServices } from "../services";
import { errorResponse } from "./errors";
import { assertSameOrigin, readJsonBody } from "./request-guard";

/** The session cookie as the request sent it (route handlers read their own request, not Next's request scope). */
function sessionCookieOf(headerList: Pick<Headers, "get">): string | undefined {
  for (const part of (headerList.get("cookie") ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) {
      const value = part.slice(eq + 1).trim();
      try {
        return decodeURIComponent(value);
      } catch {
        return value; // not percent-encoded: a seal is URL-safe as it is
      }
    }
  }
  return undefined;
}

/** One check for routes and pages: the bearer token, the session cookie, or open development on localhost. */
async function isAdmin(headerList: Pick<Headers, "get">, sessionCookie: string | undefined): Promise<boolean> {
  const credentials = {
    authorization: headerList.get("authorization"),
    sessionCookie,
    host: headerList.get("host"),
    sessionVersion: async () => (await sessionVersions()).sessionVersion(),
  };
  return isAuthorized(credentials, getConfig(), getLogger());
}

/**
 * The session version lives in the store, read on every cookie check, with no KV copy in front: a KV that loses its
 * keys (a Redis restart, an eviction) must never make a revoked cookie valid again, and the read is one small row.
 */
const sessionVersions = async (): Promise<SessionVersions> => (await getServices()).store;

/** A new session cookie's sealed value, of the current session version. */
export const newSessionCookie = async (): Promise<string> =>
  createSession(getConfig(), await (await sessionVersions()).sessionVersion());

/** Signing out (lib/auth/auth.ts signOut): true when `cookie` was a valid session and every session was revoked. */
export const endSessions = async (cookie: string | undefined): Promise<boolean> =>
  signOut(cookie, getConfig(), await sessionVersions());

export const requestIsAuthorized = (request: Request): Promise<boolean> =>
  isAdmin(request.headers, sessionCookieOf(request.headers));

/** For server components: is the visitor signed in? */
export const pageIsAuthorized = async (): Promise<boolean> =>
  isAdmin(await headers(), (await cookies()).get(SESSION_COOKIE)?.value);

type Handler<P> = (request: Request, params: P) => Promise<Response>;

/** Every admin API route: authentication first, then one error mapping for whatever the handler throws. */
export function adminRoute<P = Record<string, never>>(handler: Handler<P>) {
  return async (request: Request, context: { params: Promise<P> }): Promise<Response> => {
    try {
      assertSameOrigin(request);
      if (!(await requestIsAuthorized(request))) {
        throw new AppError("unauthorized", "Sign in or send Authorization: Bearer <ADMIN_TOKEN>");
      }
      return await handler(request, await context.params);
    } catch (error) {
      return errorResponse(error);
    }
  };
}

/** A JSON request body: `application/json` only, capped (lib/http/request-guard.ts). */
export const readJson = (request: Request): Promise<unknown> => readJsonBody(request);
