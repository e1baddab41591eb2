/**
 * `npm run test:security` in local mode, as part of `npm test`: one test per check, so the CI count
 * includes every attack and a failure names it with what was seen. The suite starts its own DynamoDB
 * Local (its slow-backend checks pause it, which would stall every other test on the run's shared one)
 * and its own local stack, and stops both before the tests below report.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { FAST_START_JAVA_TOOL_OPTIONS } from '../../shared/local/dynamodb-local.js';
import { startLocalTarget } from '../security/local-target.js';
import { runSecurityChecks } from '../security/run-security-checks.js';
import type { CheckResult } from '../security/security-check.js';
import { securityChecks } from '../security/security-checks.js';

// The JVM of DynamoDB Local starts faster with these; an operator's own setting wins.
process.env.JAVA_TOOL_OPTIONS ??= FAST_START_JAVA_TOOL_OPTIONS;

const results = new Map<string, CheckResult>();

beforeAll(async () => {
  const local = await startLocalTarget();
  try {
    for (const result of await runSecurityChecks(local.target, securityChecks))
      results.set(result.id, result);
  } finally {
    await local.stop();
  }
}, 240_000);

describe('npm run test:security against the local stack', () => {
  it.each(securityChecks.map((check) => [check.id, check.proves] as const))('%s: %s', (id) => {
    const result = results.get(id);
    expect(result, 'the suite did not run this check').toBeDefined();
    expect(result?.status, result?.detail).toBe('PASS');
  });
});
