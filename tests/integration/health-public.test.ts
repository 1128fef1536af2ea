import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET } from "@/app/api/health/route";
import { parseConfig } from "@/lib/env";
import { getServices, resetServicesForTesting } from "@/lib/services";
import { freshDatabase } from "../helpers/app-server";
import { REDIS_URL, serviceAvailable } from "../helpers/services";

const up = (await serviceAvailable("postgres")) && (await serviceAvailable("redis"));

/** Issue 24: /api/health is public, so it must not name the model to strangers nor ping every backend per request. */
describe.skipIf(!up)("GET /api/health for anonymous callers", () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  beforeAll(async () => {
    database = await freshDatabase();
    resetServicesForTesting(
      parseConfig({
        DATABASE_URL: database.url,
        REDIS_URL,
        PIPELINE_RUNNER: "inline",
        ADMIN_TOKEN: "t".repeat(32),
        OPENAI_API_KEY: "sk-x",
      }),
    );
  });
  afterAll(async () => {
    await (await getServices()).store.close();
    resetServicesForTesting();
    await database?.drop();
  });

  const health = (headers: Record<string, string> = {}) =>
    GET(new Request("https://app.example/api/health", { headers: { host: "app.example", ...headers } }));

  it("names the model only to the admin, and answers repeated calls from a few seconds' probe", async () => {
    const services = await getServices();
    let pings = 0;
    const ping = services.store.ping.bind(services.store);
    services.store.ping = async () => {
      pings++;
      return ping();
    };
    const anonymous = (await (await health()).json()) as { llm: Record<string, unknown> };
    expect(anonymous.llm).not.toHaveProperty("model");
    expect(JSON.stringify(anonymous)).not.toContain(services.summarizer.model);
    await health();
    await health();
    expect(pings).toBe(1);
    const admin = (await (await health({ authorization: `Bearer ${"t".repeat(32)}` })).json()) as {
      llm: Record<string, unknown>;
    };
    expect(admin.llm.model).toBe(services.summarizer.model);
  });
});
