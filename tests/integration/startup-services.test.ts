import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { GET } from "@/app/api/health/route";
import { parseConfig, startupProblems } from "@/lib/env";
import { createLogger, type LogRecord } from "@/lib/log";
import { resetServicesForTesting } from "@/lib/services";
import { unreachableLine, unreachableServices } from "@/lib/startup";
import { POSTGRES_URL, REDIS_URL, serviceAvailable } from "../helpers/services";

const servicesUp = (await serviceAvailable("postgres")) && (await serviceAvailable("redis"));
// Port 1 on loopback: nothing listens there, so a connection is refused at once.
const DEAD_DATABASE = "postgres://postgres@127.0.0.1:1/none";
const DEAD_REDIS = "redis://127.0.0.1:1";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("an Upstash pair set by half", () => {
  it("names the missing variable in the convention the user wrote", () => {
    expect(startupProblems({ UPSTASH_REDIS_REST_URL: "https://kv.example" })).toEqual([
      expect.objectContaining({ variable: "UPSTASH_REDIS_REST_TOKEN" }),
    ]);
    expect(startupProblems({ UPSTASH_REDIS_REST_TOKEN: "t" })).toEqual([
      expect.objectContaining({ variable: "UPSTASH_REDIS_REST_URL" }),
    ]);
    expect(startupProblems({ KV_REST_API_URL: "https://kv.example" })).toEqual([
      expect.objectContaining({ variable: "KV_REST_API_TOKEN" }),
    ]);
    // In production too: a token alone is not "no KV configured".
    const production = { NODE_ENV: "production", DATABASE_URL: "postgres://u@h/db", PIPELINE_RUNNER: "inline" };
    expect(
      startupProblems({ ...production, ADMIN_TOKEN: "t".repeat(32), UPSTASH_REDIS_REST_TOKEN: "t" }).map(
        (p) => p.variable,
      ),
    ).toEqual(["UPSTASH_REDIS_REST_URL"]);
  });
});

describe.skipIf(!servicesUp)("start-up probes of the database and the KV", () => {
  it("name the variable of each one that does not answer, and nothing when both do", async () => {
    const dead = parseConfig({ DATABASE_URL: DEAD_DATABASE, REDIS_URL: DEAD_REDIS });
    const problems = await unreachableServices(dead, 3_000);
    expect(problems.map((p) => [p.adapter, p.variable])).toEqual([
      ["store", "DATABASE_URL"],
      ["kv", "REDIS_URL"],
    ]);
    expect(unreachableLine(problems[0] as (typeof problems)[number])).toMatch(
      /^refusing to start: DATABASE_URL: cannot reach the database \(postgres\): .*ECONNREFUSED/,
    );
    const alive = parseConfig({ DATABASE_URL: POSTGRES_URL, REDIS_URL });
    expect(await unreachableServices(alive, 3_000)).toEqual([]);
  });

  it("health names the adapter that did not start and logs the error", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "as-health-dead-"));
    dirs.push(dir);
    const records: LogRecord[] = [];
    resetServicesForTesting(
      parseConfig({ DATABASE_URL: DEAD_DATABASE, PIPELINE_RUNNER: "inline" }),
      createLogger({ level: "debug", sink: (r) => records.push(r) }),
    );
    try {
      const response = await GET(new Request("http://127.0.0.1:3000/api/health"));
      expect(response.status).toBe(503);
      const body = (await response.json()) as { error: string; failing: unknown[] };
      expect(body.failing).toEqual([{ adapter: "store", kind: "postgres", variable: "DATABASE_URL" }]);
      expect(body.error).toContain("store (DATABASE_URL)");
      // No host, port or driver message leaves the server; the log has them.
      expect(JSON.stringify(body)).not.toContain("127.0.0.1");
      expect(records.map((r) => r.msg)).toContain("health: the adapters did not start");
      expect(JSON.stringify(records)).toContain("ECONNREFUSED");
    } finally {
      resetServicesForTesting();
    }
  });
});
