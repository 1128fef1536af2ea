import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CHILD_ENV } from "../helpers/services";

const ROOT = path.resolve(import.meta.dirname, "../..");

/** An older Node on this machine (Debian's is 20), to run the guard the way a user with the wrong Node would. */
function oldNode(): string | undefined {
  for (const candidate of ["/usr/bin/node", "/usr/local/bin/node"]) {
    if (!existsSync(candidate)) continue;
    const version = execFileSync(candidate, ["--version"], { encoding: "utf8" }).trim();
    if (Number(version.slice(1).split(".")[0]) < 24) return candidate;
  }
  return undefined;
}

const old = oldNode();

describe("Node version guard (npm run dev, npm test, npm start, the CLIs)", () => {
  it.skipIf(!old)("stops an older Node at once with one line naming the version needed", () => {
    const result = spawnSync(old as string, ["scripts/check-node.mjs"], { cwd: ROOT, encoding: "utf8" });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    const lines = result.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/needs Node\.js 24 \(this is 2\d\.\d+\.\d+\): nvm install 24/);
  });

  it.skipIf(!old || !existsSync(path.join(path.dirname(old ?? ""), "npm")))(
    "npm test on an older Node stops with the guard's line, not vitest's Map.groupBy crash",
    () => {
      const bin = path.dirname(old as string);
      const result = spawnSync(path.join(bin, "npm"), ["test", "--silent"], {
        cwd: ROOT,
        encoding: "utf8",
        env: { NODE_ENV: "development", PATH: `${bin}:/usr/bin:/bin`, HOME: CHILD_ENV.HOME },
      });
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/needs Node\.js 24 \(this is 2\d\.\d+\.\d+\)/);
      expect(result.stderr).not.toContain("groupBy");
    },
  );

  it("lets Node 24 through silently", () => {
    const result = spawnSync(process.execPath, ["scripts/check-node.mjs"], { cwd: ROOT, encoding: "utf8" });
    expect(result.status).toBe(0);
    expect(result.stderr).toBe("");
  });

  it("is what npm run dev, npm test, npm start and the CLIs run first", async () => {
    const { scripts } = (await import("../../package.json", { with: { type: "json" } })).default as {
      scripts: Record<string, string>;
    };
    for (const name of [
      "dev",
      "start",
      "test",
      "test:e2e",
      "summarize",
      "extract",
      "jobs:retry",
      "jobs:trim",
      "db:migrate",
    ]) {
      expect(scripts[name]).toMatch(/^node scripts\/check-node\.mjs && /);
    }
  });
});
