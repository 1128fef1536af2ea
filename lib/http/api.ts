import { cookies, headers } from "next/headers";
import { isAuthorized, SESSION_COOKIE } from "../auth/auth";
import { getConfig } from "../env";
import { errorResponse, HttpError } from "./errors";

export async function requestIsAuthorized(request: Request): Promise<boolean> {
  const cookieStore = await cookies();
  return isAuthorized(
    {
      authorization: request.headers.get("authorization"),
      sessionCookie: cookieStore.get(SESSION_COOKIE)?.value,
      host: request.headers.get("host"),
    },
    getConfig(),
  );
}

/** For server components: is the visitor signed in? */
export async function pageIsAuthorized(): Promise<boolean> {
  const [cookieStore, headerStore] = await Promise.all([cookies(), headers()]);
  return isAuthorized(
    {
      authorization: headerStore.get("authorization"),
      sessionCookie: cookieStore.get(SESSION_COOKIE)?.value,
      host: headerStore.get("host"),
    },
    getConfig(),
  );
}

type Handler<P> = (request: Request, params: P) => Promise<Response>;

/** Every admin API route: authentication first, then one error mapping for whatever the handler throws. */
export function adminRoute<P = Record<string, never>>(handler: Handler<P>) {
  return async (request: Request, context: { params: Promise<P> }): Promise<Response> => {
    try {
      if (!(await requestIsAuthorized(request))) {
        throw new HttpError(401, "unauthorized", "Sign in or send Authorization: Bearer <ADMIN_TOKEN>");
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
    throw new HttpError(400, "invalid_body", `The request body must be JSON (${String(cause)})`);
  }
}
