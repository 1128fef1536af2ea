#!/usr/bin/env node
/**
 * npm run test:mutation [-- module…]: Stryker, one module at a time (small concurrency: the machines are shared),
 * then one JSON line per module with its mutation score and run time. Modules and the tests that guard them below.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

const MODULES = {
  net: {
    files: ["lib/net/*.ts", "!lib/net/*.test.ts"],
    tests: ["lib/net/*.test.ts"],
  },
  progress: {
    files: ["lib/progress/*.ts", "!lib/progress/*.test.ts"],
    tests: [
      "lib/progress/*.test.ts",
      "tests/integration/progress-kv.contract.test.ts",
      "tests/integration/relay.test.ts",
    ],
  },
  store: {
    files: ["lib/store/rows.ts", "lib/store/sql-store.ts", "lib/store/supabase-store.ts"],
    tests: ["tests/integration/store.contract.test.ts", "tests/integration/supabase-store.test.ts"],
  },
  pipeline: {
    files: ["lib/pipeline/process-article.ts"],
    tests: ["tests/functions/*.test.ts", "tests/integration/inline-runner.test.ts"],
  },
  "reader-pool": {
    files: ["lib/extract/reader-pool.ts"],
    tests: ["lib/extract/reader-pool.test.ts"],
  },
  functions: {
    files: ["inngest/functions/*.ts"],
    tests: ["tests/functions/*.test.ts"],
  },
};

const chosen = process.argv.slice(2).length > 0 ? process.argv.slice(2) : Object.keys(MODULES);
const results = [];
for (const name of chosen) {
  const module = MODULES[name];
  if (!module) {
    console.error(`unknown module ${name}; one of ${Object.keys(MODULES).join(", ")}`);
    process.exit(2);
  }
  const started = Date.now();
  const run = spawnSync("npx", ["stryker", "run", "stryker.config.mjs"], {
    stdio: "inherit",
    env: {
      ...process.env,
      MUTATION_MODULE: name,
      MUTATION_FILES: module.files.join(","),
      MUTATION_TESTS: module.tests.join(","),
    },
  });
  const seconds = Math.round((Date.now() - started) / 1000);
  if (run.status !== 0) {
    results.push({ module: name, error: `stryker exited with ${run.status}`, seconds });
    continue;
  }
  const report = JSON.parse(readFileSync(`reports/mutation/${name}.json`, "utf8"));
  const counts = {};
  for (const file of Object.values(report.files)) {
    for (const mutant of file.mutants) counts[mutant.status] = (counts[mutant.status] ?? 0) + 1;
  }
  const detected = (counts.Killed ?? 0) + (counts.Timeout ?? 0);
  const valid = detected + (counts.Survived ?? 0) + (counts.NoCoverage ?? 0);
  results.push({ module: name, score: valid ? Math.round((1000 * detected) / valid) / 10 : null, counts, seconds });
}
for (const result of results) console.log(JSON.stringify(result));
