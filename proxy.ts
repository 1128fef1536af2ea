import { type NextRequest, NextResponse } from "next/server";
import { isDevelopmentServer } from "./lib/env";
import { contentSecurityPolicy, newNonce } from "./lib/http/csp";

/**
 * Every page gets its Content-Security-Policy here, with a nonce of its own: set on the request, where Next.js
 * finds it and puts it on the scripts it renders, and on the response, where the browser enforces it. No inline
 * script runs without it ('unsafe-inline' is gone). API routes and build assets are not pages: they keep
 * next.config.ts's policy, which allows no inline script at all.
 */
export function proxy(request: NextRequest): NextResponse {
  const csp = contentSecurityPolicy({ development: isDevelopmentServer(), nonce: newNonce() });
  const headers = new Headers(request.headers);
  headers.set("content-security-policy", csp);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("Content-Security-Policy", csp);
  return response;
}

export const config = {
  // Pages only: not the API, not Next.js's build assets (hashed files, no HTML).
  matcher: ["/((?!api/|_next/static/|_next/image).*)"],
};
