import { cookies } from "next/headers";
import { z } from "zod";
import { checkPassword, createSession, SESSION_COOKIE, SESSION_TTL_SECONDS } from "@/lib/auth/auth";
import { AppError } from "@/lib/errors";
import { errorResponse } from "@/lib/http/errors";
import { getConfig } from "@/lib/services";

const loginSchema = z.object({ password: z.string().min(1).max(1_000) });

/** Password login: sets a sealed, HTTP-only session cookie. Accepts JSON or a plain form post. */
export async function POST(request: Request): Promise<Response> {
  try {
    const isForm = (request.headers.get("content-type") ?? "").includes("form");
    const raw = isForm ? Object.fromEntries(await request.formData()) : await request.json().catch(() => ({}));
    const parsed = loginSchema.safeParse(raw);
    const config = getConfig();
    if (!parsed.success || !checkPassword(parsed.data.password, config)) {
      throw new AppError("unauthorized", "Wrong password");
    }
    (await cookies()).set(SESSION_COOKIE, await createSession(config), {
      httpOnly: true,
      sameSite: "lax",
      secure: config.production,
      path: "/",
      maxAge: SESSION_TTL_SECONDS,
    });
    return isForm ? Response.redirect(new URL("/admin", request.url), 303) : Response.json({ ok: true });
  } catch (error) {
    return errorResponse(error);
  }
}
