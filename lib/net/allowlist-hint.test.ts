import { describe, expect, it } from "vitest";
import { assertFetchableUrl } from "./safe-fetch";

const refusal = (url: string, explainAllowlist: boolean) =>
  assertFetchableUrl(url, { allowlist: [], resolve: false, explainAllowlist }).then(
    () => "accepted",
    (error: Error) => error.message,
  );

describe("blocked_url in development names FETCH_ALLOWLIST", () => {
  it("says which entry would let a port, a local name or a private address through", async () => {
    expect(await refusal("http://127.0.0.1:8099/a", true)).toBe(
      "Port 8099 is not allowed (development: FETCH_ALLOWLIST=127.0.0.1:8099 lets it through)",
    );
    expect(await refusal("http://localhost/a", true)).toContain("FETCH_ALLOWLIST=localhost:80");
    expect(await refusal("https://[::1]/a", true)).toContain("FETCH_ALLOWLIST=::1:443");
  });

  it("never mentions it in production", async () => {
    expect(await refusal("http://127.0.0.1:8099/a", false)).toBe("Port 8099 is not allowed");
    expect(await refusal("http://localhost/a", false)).not.toContain("FETCH_ALLOWLIST");
  });
});
