import { AppError } from "../errors";
import { log } from "../log";

/** Errors of the HTTP layer that are not pipeline failures: not found, conflict, unauthorized. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "HttpError";
  }
}

/** The one place an error becomes a response: reasons and messages users can act on, internals only in logs. */
export function errorResponse(error: unknown): Response {
  if (error instanceof HttpError) {
    return Response.json({ error: { reason: error.code, message: error.message } }, { status: error.status });
  }
  if (error instanceof AppError && error.reason !== "internal" && error.reason !== "storage_failed") {
    return Response.json({ error: error.toPublic() }, { status: error.httpStatus });
  }
  log.error("request failed", { error });
  const reason = error instanceof AppError ? error.reason : "internal";
  return Response.json({ error: { reason, message: "Something went wrong on our side" } }, { status: 500 });
}
