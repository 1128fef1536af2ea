import { NonRetriableError, RetryAfterError } from "inngest";
import { describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { appErrorFromSerialized, toInngestError } from "./inngest-errors";

describe("Inngest error mapping", () => {
  it("never retries permanent reasons", () => {
    const error = toInngestError(new AppError("blocked_url", "Private address"));
    expect(error).toBeInstanceOf(NonRetriableError);
    expect(appErrorFromSerialized(error).reason).toBe("blocked_url");
  });

  it("waits as told on rate limits and retries transient errors", () => {
    expect(toInngestError(new AppError("rate_limited", "slow down", { retryAfterMs: 5_000 }))).toBeInstanceOf(
      RetryAfterError,
    );
    const transient = toInngestError(new AppError("http_error", "HTTP 503", { status: 503 }));
    expect(transient).not.toBeInstanceOf(NonRetriableError);
    expect(appErrorFromSerialized(transient)).toMatchObject({ reason: "http_error", message: "HTTP 503" });
  });

  it("hides internals and reads unknown errors as internal", () => {
    expect(toInngestError(new Error("db password in here")).message).toBe("internal: Internal error");
    expect(appErrorFromSerialized({ message: "something odd" }).reason).toBe("internal");
  });
});
