import { Inngest } from "inngest";
import { serve } from "inngest/next";
import { describe, expect, it, vi } from "vitest";
import { inngestSettings, parseInngestDev } from "@/lib/env";
import { articleSubmitted, createInngestClient } from "./client";

/** An unsigned call of a function's step, as anyone who can reach /api/inngest could send it. */
async function unsignedStepCall(env: Record<string, string | undefined>) {
  const client = createInngestClient(inngestSettings(env));
  const ran = vi.fn(async () => "ran");
  const fn = client.createFunction({ id: "probe", triggers: [articleSubmitted], retries: 0 }, async ({ step }) =>
    step.run("step", ran),
  );
  const { POST } = serve({ client, functions: [fn] });
  const event = { name: "article/submitted", data: { jobId: "j", url: "https://a.example/", runKey: "r" } };
  const request = new Request("http://127.0.0.1:3000/api/inngest?fnId=article-summarizer-probe&stepId=step", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      event,
      events: [event],
      steps: {},
      ctx: {
        run_id: "run-1",
        attempt: 0,
        disable_immediate_execution: false,
        use_api: false,
        stack: { stack: [], current: 0 },
      },
      version: 2,
    }),
  });
  const response = await (POST as unknown as (r: Request) => Promise<Response>)(request);
  return { status: response.status, ran: ran.mock.calls.length > 0 };
}

const SIGNING_KEY = "signkey-prod-0123456789abcdef0123456789abcdef";

describe("INNGEST_DEV", () => {
  // Values chosen around every branch of the SDK's reading: booleans, case, blanks, "undefined", URLs, host names.
  const values = [
    "1",
    "0",
    "true",
    "false",
    "TRUE",
    "False",
    " 1 ",
    " false ",
    "",
    " ",
    "undefined",
    "UNDEFINED",
    " undefined",
    "yes",
    "no",
    "off",
    "on",
    "http://127.0.0.1:8288",
    "127.0.0.1:8288",
    "localhost:8288",
    "http://[",
    "http://",
    "a b",
    "::",
    "2",
    "-1",
    "null",
    "tRuE\n",
  ];

  it("is read exactly as the Inngest SDK reads it (the SDK's own client is the oracle)", () => {
    for (const value of values) {
      const sdkMode = new Inngest({ id: "oracle" }).setEnvVars({ INNGEST_DEV: value }).mode;
      expect({ value, dev: parseInngestDev(value).dev }).toEqual({ value, dev: sdkMode === "dev" });
    }
  });

  it("names the Dev Server URL as the SDK does", () => {
    expect(parseInngestDev("127.0.0.1:8288")).toEqual({ dev: true, url: "http://127.0.0.1:8288/" });
    expect(parseInngestDev("1")).toEqual({ dev: true });
  });

  it("is never dev mode in production, but production still sees that it was asked for", () => {
    const settings = inngestSettings({ NODE_ENV: "production", INNGEST_DEV: "1" });
    expect(settings.dev).toBe(false);
    expect(settings.devRequested).toBe(true);
  });
});

describe("/api/inngest signature verification", () => {
  it.each(["false", "0", "FALSE", " 0 ", "undefined", ""])(
    "refuses an unsigned step call with INNGEST_DEV=%j (cloud mode)",
    async (value) => {
      const result = await unsignedStepCall({ INNGEST_DEV: value, INNGEST_SIGNING_KEY: SIGNING_KEY });
      expect(result.ran).toBe(false);
      expect(result.status).toBe(401);
    },
  );

  it("refuses it in production even with INNGEST_DEV=1", async () => {
    for (const env of [
      { NODE_ENV: "production", INNGEST_DEV: "1", INNGEST_SIGNING_KEY: SIGNING_KEY },
      { NODE_ENV: "production", INNGEST_DEV: "http://127.0.0.1:8288" },
    ]) {
      const result = await unsignedStepCall(env);
      expect(result.ran).toBe(false);
      expect(result.status).toBeGreaterThanOrEqual(400);
    }
  });

  it("runs it for the local Dev Server (INNGEST_DEV=1 outside production)", async () => {
    const result = await unsignedStepCall({ INNGEST_DEV: "1" });
    expect(result.ran).toBe(true);
  });
});
