import { cookies } from "next/headers";
import { SESSION_COOKIE, signOut } from "@/lib/auth/auth";
import { errorResponse } from "@/lib/http/errors";
import { assertSameOrigin } from "@/lib/http/request-guard";
import { getConfig, getLoginLimiter } from "@/lib/services";

/**
 * Signs out: the cookie is deleted here and every session issued so far is revoked (the stored session version
 * moves on), so a copied cookie stops working too. From this site only, and only for a valid session: a forged or
 * stale cookie signs nobody else out.
 */
export async function POST(request: Request): Promise<Response> {
  try {
    assertSameOrigin(request);
    const cookieStore = await cookies();
    await signOut(cookieStore.get(SESSION_COOKIE)?.value, getConfig(), getLoginLimiter());
    cookieStore.delete(SESSION_COOKIE);
    return Response.redirect(new URL("/login", request.url), 303);
  } catch (error) {
    return errorResponse(error);
  }
}
