import { NonRetriableError, RetryAfterError } from "inngest";
import { describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { toInngestError } from "./inngest-errors";

describe("Inngest error mapping", () => {
  it("never retries permanent reasons", () => {
    const error = toInngestError(new AppError("blocked_url", "Private address"));
    expect(error).toBeInstanceOf(NonRetriableError);
    expect(error.message).toBe("Private address");
  });

  it("waits as told on rate limits and retries transient errors", () => {
    expect(toInngestError(new AppError("rate_limited", "slow down", { retryAfterMs: 5_000 }))).toBeInstanceOf(
      RetryAfterError,
    );
    const transient = toInngestError(new AppError("http_error", "HTTP 503", { status: 503 }));
    expect(transient).not.toBeInstanceOf(NonRetriableError);
    expect(transient.message).toBe("HTTP 503");
  });

  it("hides internals of unknown errors and of storage failures", () => {
    expect(toInngestError(new Error("db password in here")).message).toBe("Something went wrong on our side");
    expect(toInngestError(new AppError("storage_failed", "relation jobs at 10.0.0.5")).message).not.toContain("10.0");
  });
});
