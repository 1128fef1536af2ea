import { toAppError } from "../errors";
import { getLogger } from "../services";

/**
 * The one place an error becomes a response. The reason table (lib/errors.ts) decides the status and whether the
 * message is shown, exactly as for progress events and job rows; errors whose message is hidden are logged here.
 */
export function errorResponse(error: unknown): Response {
  const appError = toAppError(error);
  if (appError.internal) getLogger().error("request failed", { reason: appError.reason, error: appError });
  return Response.json({ error: appError.toPublic() }, { status: appError.httpStatus });
}
