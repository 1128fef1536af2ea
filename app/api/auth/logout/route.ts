import { cookies } from "next/headers";
import { SESSION_COOKIE } from "@/lib/auth/auth";

export async function POST(request: Request): Promise<Response> {
  (await cookies()).delete(SESSION_COOKIE);
  return Response.redirect(new URL("/login", request.url), 303);
}
