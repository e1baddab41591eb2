import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/dynamodb-local.global.ts'],
    // The contract tests: every answer of a local stack is checked against docs/openapi.json.
    setupFiles: ['test/support/contract-check.setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: DynamoDB Local, Chromium and local servers already compete with the workers.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
