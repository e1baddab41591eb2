import { defineConfig } from 'vitest/config';

/**
 * The tests Stryker runs against each mutant (stryker.config.mjs): unit and property tests only. No
 * globalSetup: unit tests use fakes and never reach DynamoDB Local, so a mutation run starts no Java.
 * Properties use a fixed seed here (test/support/fixed-property-seed.ts). Stryker itself runs one worker
 * per test runner and stops a mutant's run at its first failing test.
 */
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    setupFiles: ['test/support/fixed-property-seed.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
