import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/** The layering rules ARCHITECTURE.md states, checked on every import so a shortcut fails CI, not a review. */
const ROOT = path.resolve(import.meta.dirname, "../..");

function sources(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) sources(rel, out);
    else if (/\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)) out.push(rel);
  }
  return out;
}

/** Each import of `file`, resolved to a repository path ("app/…", "lib/…") or left as a package name. */
function importsOf(file: string): string[] {
  const text = readFileSync(path.join(ROOT, file), "utf8");
  return [...text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+["']([^"']+)["']/gm)].map((m) => {
    const spec = m[1] as string;
    if (spec.startsWith("@/")) return spec.slice(2);
    if (spec.startsWith(".")) return path.relative(ROOT, path.resolve(ROOT, path.dirname(file), spec));
    return spec;
  });
}

const offending = (files: string[], forbidden: (target: string) => boolean) =>
  files.flatMap((file) =>
    importsOf(file)
      .filter(forbidden)
      .map((target) => `${file} → ${target}`),
  );

describe("layering", () => {
  const lib = sources("lib");

  it("lib/ never imports app/, and of inngest/ only the client's typed events", () => {
    expect(lib.length).toBeGreaterThan(100);
    expect(
      offending(
        lib,
        (t) => t.startsWith("app/") || (t.startsWith("inngest/") && t.replace(/\.ts$/, "") !== "inngest/client"),
      ),
    ).toEqual([]);
  });

  it("adapters (lib/ai, lib/store, lib/progress, lib/net, lib/media) never import the pipeline; ports live in lib/ports.ts", () => {
    const adapters = lib.filter((f) => /^lib\/(ai|store|progress|net|media)\//.test(f));
    expect(offending(adapters, (t) => t.startsWith("lib/pipeline/"))).toEqual([]);
  });

  it("only the extraction worker's modules import jsdom", () => {
    const server = [...lib, ...sources("app"), ...sources("inngest")].filter((f) => !f.startsWith("lib/extract/"));
    expect(offending(server, (t) => t === "jsdom")).toEqual([]);
  });

  it("process.env is read only in lib/env.ts (and instrumentation.ts's build-time NEXT_RUNTIME)", () => {
    const code = ["lib", "app", "inngest", "scripts", "bench"].flatMap((dir) => sources(dir));
    const readers = code.filter((f) => /process\.env\b/.test(readFileSync(path.join(ROOT, f), "utf8")));
    expect(readers).toEqual(["lib/env.ts"]);
  });
});
