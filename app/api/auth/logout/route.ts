import { cookies } from "next/headers";
import { SESSION_COOKIE } from "@/lib/auth/auth";
import { endSessions } from "@/lib/http/api";
import { errorResponse } from "@/lib/http/errors";
import { seeOther } from "@/lib/http/redirect";
import { assertSameOrigin } from "@/lib/http/request-guard";

/**
 * Signs out: the cookie is deleted here and every session issued so far is revoked (the stored session version
 * moves on), so a copied cookie stops working too. From this site only, and only for a valid session: a forged or
 * stale cookie signs nobody else out.
 */
export async function POST(request: Request): Promise<Response> {
  try {
    assertSameOrigin(request);
    const cookieStore = await cookies();
    await endSessions(cookieStore.get(SESSION_COOKIE)?.value);
    cookieStore.delete(SESSION_COOKIE);
    return seeOther("/login");
  } catch (error) {
    return errorResponse(error);
  }
}
