// @ts-check
/**
 * Mutation testing (npm run test:mutation): one module at a time, chosen by MUTATION_MODULE, with the tests that
 * guard it (scripts/mutation.mjs sets both). Slow on purpose and not part of CI.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  testRunner: "vitest",
  checkers: ["typescript"],
  tsconfigFile: "tsconfig.json",
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  plugins: ["@stryker-mutator/vitest-runner", "@stryker-mutator/typescript-checker"],
  vitest: { configFile: "vitest.mutation.config.ts", related: false },
  mutate: (process.env.MUTATION_FILES ?? "").split(",").filter(Boolean),
  coverageAnalysis: "perTest",
  concurrency: Number(process.env.MUTATION_CONCURRENCY ?? 2),
  timeoutMS: 20_000,
  reporters: ["clear-text", "json", "html"],
  jsonReporter: { fileName: `reports/mutation/${process.env.MUTATION_MODULE ?? "all"}.json` },
  htmlReporter: { fileName: `reports/mutation/${process.env.MUTATION_MODULE ?? "all"}.html` },
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
};
