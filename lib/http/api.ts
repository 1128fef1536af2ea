import { cookies, headers } from "next/headers";
import { isAuthorized, SESSION_COOKIE } from "../auth/auth";
import { AppError } from "../errors";
import { getConfig, getLogger } from "../services";
import { errorResponse } from "./errors";

/** One check for routes and pages: the bearer token, the session cookie, or open development on localhost. */
async function isAdmin(headerList: Pick<Headers, "get">): Promise<boolean> {
  const cookieStore = await cookies();
  const credentials = {
    authorization: headerList.get("authorization"),
    sessionCookie: cookieStore.get(SESSION_COOKIE)?.value,
    host: headerList.get("host"),
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
      if (!(await requestIsAuthorized(request))) {
        throw new AppError("unauthorized", "Sign in or send Authorization: Bearer <ADMIN_TOKEN>");
      }
      return await handler(request, await context.params);
    } catch (error) {
      return errorResponse(error);
    }
  };
}

export async function readJson(request: Request): Promise<unknown> {
  try {
    return await request.json();
  } catch (cause) {
    throw new AppError("invalid_body", `The request body must be JSON (${String(cause)})`, { cause });
  }
}
