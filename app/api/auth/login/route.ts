import { cookies } from "next/headers";
import { z } from "zod";
import { checkPassword, SESSION_COOKIE, SESSION_TTL_SECONDS } from "@/lib/auth/auth";
import { clientAddress, loginAllowed, loginFailed, loginSucceeded } from "@/lib/auth/rate-limit";
import { AppError } from "@/lib/errors";
import { newSessionCookie } from "@/lib/http/api";
import { errorResponse } from "@/lib/http/errors";
import { seeOther } from "@/lib/http/redirect";
import {
  assertSameOrigin,
  MAX_JSON_BODY_BYTES,
  mediaType,
  readCappedText,
  readJsonBody,
} from "@/lib/http/request-guard";
import { getConfig, getLoginLimiter } from "@/lib/services";

const loginSchema = z.object({ password: z.string().min(1).max(1_000) });

/**
 * Password login: sets a sealed, HTTP-only session cookie. Accepts JSON or a URL-encoded form post, from this
 * site only, with a capped body, and only so many attempts per address and overall (lib/auth/rate-limit.ts).
 */
export async function POST(request: Request): Promise<Response> {
  try {
    assertSameOrigin(request);
    const config = getConfig();
    const limiter = getLoginLimiter();
    const address = clientAddress(request.headers, config.trustedProxyHops);
    const limit = await loginAllowed(limiter, address);
    if (!limit.allowed) {
      return Response.json(
        { error: { reason: "rate_limited", message: "Too many sign-in attempts; try again later" } },
        { status: 429, headers: { "Retry-After": String(limit.retryAfterSeconds) } },
      );
    }
    const isForm = mediaType(request) === "application/x-www-form-urlencoded";
    const raw = isForm
      ? Object.fromEntries(new URLSearchParams(await readCappedText(request, MAX_JSON_BODY_BYTES)))
      : await readJsonBody(request);
    const parsed = loginSchema.safeParse(raw);
    if (!parsed.success || !checkPassword(parsed.data.password, config)) {
      await loginFailed(limiter, address);
      throw new AppError("unauthorized", "Wrong password");
    }
    await loginSucceeded(limiter, address);
    (await cookies()).set(SESSION_COOKIE, await newSessionCookie(), {
      httpOnly: true,
      sameSite: "lax",
      secure: config.production,
      path: "/",
      maxAge: SESSION_TTL_SECONDS,
    });
    return isForm ? seeOther("/admin") : Response.json({ ok: true });
  } catch (error) {
    return errorResponse(error);
  }
}
