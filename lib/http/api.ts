import { cookies, headers } from "next/headers";
import { isAuthorized, SESSION_COOKIE } from "../auth/auth";
import { AppError } from "../errors";
import { getConfig, getLogger, getLoginLimiter } from "../services";
import { errorResponse } from "./errors";
import { assertSameOrigin, readJsonBody } from "./request-guard";

/** One check for routes and pages: the bearer token, the session cookie, or open development on localhost. */
async function isAdmin(headerList: Pick<Headers, "get">): Promise<boolean> {
  const cookieStore = await cookies();
  const credentials = {
    authorization: headerList.get("authorization"),
    sessionCookie: cookieStore.get(SESSION_COOKIE)?.value,
    host: headerList.get("host"),
    sessionVersion: () => getLoginLimiter().sessionVersion(),
  };
  return isAuthorized(credentials, getConfig(), getLogger());
}

export const requestIsAuthorized = (request: Request): Promise<boolean> => isAdmin(request.headers);

/** For server components: is the visitor signed in? */
export const pageIsAuthorized = async (): Promise<boolean> => isAdmin(await headers());

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
