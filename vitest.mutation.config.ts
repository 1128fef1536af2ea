import { defineConfig } from "vitest/config";
import base from "./vitest.config";

/**
 * For `npm run test:mutation` only: the tests that guard the module being mutated (MUTATION_TESTS, a comma-separated
 * list of globs set by scripts/mutation.mjs), so each mutant runs those and not the whole suite.
 */
const tests = (process.env.MUTATION_TESTS ?? "").split(",").filter(Boolean);

export default defineConfig({ ...base, test: { ...base.test, include: tests } });
