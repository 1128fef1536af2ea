import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The docs name npm scripts, environment variables and files; each must exist (and a variable must be read by
 * lib/env.ts, the only reader of process.env, or by the named tool below). Mechanical, so a rename that forgets the
 * README fails CI instead of a user's first deploy.
 */
const ROOT = path.resolve(import.meta.dirname, "../..");
const DOCS = [
  "README.md",
  "ARCHITECTURE.md",
  ".env.example",
  "CODE_STYLE.md",
  "docs/failure-reasons.md",
  "docs/decisions.md",
];
const read = (file: string) => readFileSync(path.join(ROOT, file), "utf8");
const scripts = Object.keys((JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts);
const envSource = read("lib/env.ts");
const pkg = JSON.parse(read("package.json")) as { dependencies: object; devDependencies: object };
const packages = new Set([...Object.keys(pkg.dependencies), ...Object.keys(pkg.devDependencies)]);

/** Variables read by something other than lib/env.ts, with the file that reads them. */
const READ_ELSEWHERE: Record<string, string> = {
  PORT: "node_modules/next/dist/build/utils.js",
  HOSTNAME: "node_modules/next/dist/build/utils.js",
  KEEP_ALIVE_TIMEOUT: "node_modules/next/dist/build/utils.js",
  NEXT_RUNTIME: "instrumentation.ts",
  TEST_DATABASE_URL: "tests/helpers/services.ts",
  TEST_REDIS_URL: "tests/helpers/services.ts",
  CHROMIUM_PATH: "tests/helpers/services.ts",
  MUTATION_INCREMENTAL: "stryker.config.mjs",
  NODE24_DIR: ".ci/run",
};
/** Files the build writes (`.next/standalone/server.js`), named by the deploy guide. */
const GENERATED = new Set(["server.js"]);
/** Upper-case names in the docs that are not variables (SQL, HTTP, constants quoted from code). */
const NOT_VARIABLES = new Set(["NEXT_PUBLIC_"]);

function repoFiles(dir = ROOT, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if ([".git", "node_modules", ".next", "coverage", "reports", ".stryker-tmp", ".data"].includes(entry.name))
      continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) repoFiles(full, out);
    else out.push(path.relative(ROOT, full));
  }
  return out;
}

function named(doc: string) {
  const text = read(doc);
  const code = [...text.matchAll(/`([^`\n]+)`/g)].map((m) => m[1] as string);
  const npmScripts = [...text.matchAll(/\bnpm run ([\w:-]+)/g)].map((m) => m[1] as string);
  const variables = new Set<string>();
  for (const span of code)
    for (const m of span.matchAll(/\b([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\b(?!_)/g)) variables.add(m[1] as string);
  if (doc === ".env.example") {
    for (const m of text.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)) variables.add(m[1] as string);
  }
  const files = new Set<string>();
  for (const span of code) {
    const m = /^\.?[\w./-]+\.(?:ts|tsx|mjs|js|json|md|sql|toml|css)$/.exec(span);
    // Not a bare extension (".nft.json") nor a package ("ipaddr.js").
    if (m && !span.includes("*") && !/^\.[a-z.]+$/.test(span) && !packages.has(span)) files.add(span);
  }
  for (const m of text.matchAll(/\]\(((?!https?:|#)[^)\s#]+)\)/g)) files.add(m[1] as string);
  return { npmScripts, variables: [...variables].filter((v) => !NOT_VARIABLES.has(v)), files: [...files] };
}

describe.each(DOCS)("%s says only what exists", (doc) => {
  const { npmScripts, variables, files } = named(doc);

  it("every `npm run` script is in package.json", () => {
    expect(npmScripts.filter((s) => !scripts.includes(s))).toEqual([]);
  });

  it("every environment variable is read by lib/env.ts (or by the tool listed here)", () => {
    const unread = variables.filter((v) => {
      if (new RegExp(`\\b${v}\\b`).test(envSource)) return false;
      const reader = READ_ELSEWHERE[v];
      return !(reader && existsSync(path.join(ROOT, reader)) && read(reader).includes(v));
    });
    expect(unread).toEqual([]);
  });

  it("every file it names exists", () => {
    const all = repoFiles();
    const missing = files.filter((f) => {
      if (GENERATED.has(f)) return false;
      const relative = path.normalize(path.join(path.dirname(doc), f));
      if (existsSync(path.join(ROOT, f)) || existsSync(path.join(ROOT, relative))) return false;
      // A name relative to the folder its sentence is about ("sql-store.ts", "render/sanitize-config.ts").
      return !all.some((file) => file === f || file.endsWith(`/${f}`));
    });
    expect(missing).toEqual([]);
  });
});

describe("the docs check itself", () => {
  it("finds scripts, variables and files in the docs (not vacuous)", () => {
    const readme = named("README.md");
    expect(readme.npmScripts).toContain("db:migrate");
    expect(readme.variables).toContain("DATABASE_URL");
    expect(readme.files).toContain("docs/failure-reasons.md");
    expect(named(".env.example").variables).toContain("RETENTION_DAYS");
  });
});
