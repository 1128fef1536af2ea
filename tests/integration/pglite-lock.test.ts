import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { createPgliteExecutor, PgliteInUseError } from "@/lib/store/sql";
import { ROOT } from "../helpers/app-server";
import { CHILD_ENV } from "../helpers/services";

const run = promisify(execFile);
const dirs: string[] = [];
const children: ChildProcess[] = [];

/** A second process that holds a PGlite folder open, as `npm run dev` does (its own group, killed whole). */
function holdFolder(dir: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      `const { createPgliteExecutor } = await import(${JSON.stringify(path.join(ROOT, "lib/store/sql.ts"))});
       await createPgliteExecutor(${JSON.stringify(dir)}); console.log("open"); setInterval(() => {}, 1000);`,
    ],
    { detached: true, stdio: ["ignore", "pipe", "inherit"] },
  );
  children.push(child);
  return new Promise((resolve, reject) => {
    child.stdout?.once("data", () => resolve(child));
    child.once("exit", (code) => reject(new Error(`holder exited with ${code}`)));
  });
}

const killGroup = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    process.kill(-(child.pid as number), "SIGKILL");
  });

afterAll(async () => {
  for (const child of children) await killGroup(child);
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const tempDir = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "as-pglite-lock-"));
  dirs.push(dir);
  return dir;
};

describe("one PGlite folder, one process", () => {
  it("refuses a second process by the holder's pid, takes over once it is gone, and releases on close", async () => {
    const dir = tempDir();
    const holder = await holdFolder(dir);
    const refused = await createPgliteExecutor(dir).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(PgliteInUseError);
    expect((refused as Error).message).toContain(`is open in process ${holder.pid}`);

    await killGroup(holder);
    // The holder died without closing: its lock is stale and taken over.
    const db = await createPgliteExecutor(dir);
    expect(JSON.parse(readFileSync(path.join(dir, "article-summarizer.lock"), "utf8")).pid).toBe(process.pid);
    expect(await db.query<{ one: number }>("select 1 as one")).toEqual([{ one: 1 }]);
    await db.close();
    expect(existsSync(path.join(dir, "article-summarizer.lock"))).toBe(false);
  }, 180_000);

  it("npm run summarize beside a running app stops with one line naming the app's process", async () => {
    const dir = tempDir();
    const holder = await holdFolder(dir);
    const result = await run(
      path.join(ROOT, "node_modules/.bin/tsx"),
      ["scripts/summarize.ts", "https://example.com/a"],
      {
        cwd: ROOT,
        env: {
          NODE_ENV: "development",
          ...CHILD_ENV,
          PGLITE_DIR: dir,
          LOG_LEVEL: "error",
        },
      },
    ).catch((error: { code: number; stderr: string }) => error);
    expect(result).toMatchObject({ code: 1 });
    expect((result as { stderr: string }).stderr).toContain(`is open in process ${holder.pid}`);
    expect((result as { stderr: string }).stderr).not.toContain("    at ");
  }, 180_000);
});
