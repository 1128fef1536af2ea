// @ts-check
/**
 * Mutation testing (npm run test:mutation): one module at a time, chosen by MUTATION_MODULE, with the tests that
 * guard it (scripts/mutation.mjs sets both). Slow on purpose and not part of CI.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  testRunner: "vitest",
  // The TypeScript checker (@stryker-mutator/typescript-checker 10.1) needs TypeScript's JS API
  // (ts.parseConfigFileTextToJson), which TypeScript 7 no longer ships: with MUTATION_TS_CHECK=1 it is tried, and
  // today it fails at start. Without it, mutants that do not compile run and are killed by the tests (the score
  // counts them as detected; Stryker reports them apart when the checker works).
  checkers: process.env.MUTATION_TS_CHECK === "1" ? ["typescript"] : [],
  // Stryker's sandbox also parses the tsconfig with that API: name none unless the checker is asked for.
  tsconfigFile: process.env.MUTATION_TS_CHECK === "1" ? "tsconfig.json" : "no-tsconfig-for-stryker.json",
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  plugins: ["@stryker-mutator/vitest-runner", "@stryker-mutator/typescript-checker"],
  vitest: { configFile: "vitest.mutation.config.ts", related: false },
  mutate: (process.env.MUTATION_FILES ?? "").split(",").filter(Boolean),
  coverageAnalysis: "perTest",
  concurrency: Number(process.env.MUTATION_CONCURRENCY ?? 2),
  timeoutMS: 20_000,
  reporters: ["clear-text", "progress-append-only", "json", "html"],
  jsonReporter: { fileName: `reports/mutation/${process.env.MUTATION_MODULE ?? "all"}.json` },
  htmlReporter: { fileName: `reports/mutation/${process.env.MUTATION_MODULE ?? "all"}.html` },
  // MUTATION_INCREMENTAL=1: reuse the last report's results for mutants whose code and covering tests did not change.
  // Much faster after a small change, but a lower bound: measured here, some survivors that a new test kills were
  // reused as survived (static mutants, and some covered only by a new test file). Off by default.
  incremental: process.env.MUTATION_INCREMENTAL === "1",
  incrementalFile: `reports/mutation/${process.env.MUTATION_MODULE ?? "all"}.incremental.json`,
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
};
