/** The back-off curve of failed logins and the shipped policies (ADR 0009). */
import { describe, expect, it } from 'vitest';
import {
  backoffDelayMs,
  type LoginThrottlePolicy,
} from '../../../shared/domain/login-throttle/login-throttle-policy.js';
import { importFresh } from '../../support/import-fresh.js';

type PolicyModule = typeof import('../../../shared/domain/login-throttle/login-throttle-policy.js');
/** The shipped policies are module constants: loaded afresh so their values are checked as loaded. */
const shipped = () =>
  importFresh<PolicyModule>(
    new URL('../../../shared/domain/login-throttle/login-throttle-policy.js', import.meta.url),
  );

const policy: LoginThrottlePolicy = {
  freeAttempts: 3,
  baseDelaySeconds: 2,
  maxDelaySeconds: 60,
  resetAfterSeconds: 600,
};

describe('backoffDelayMs', () => {
  it('costs nothing while the failures are within the free attempts', () => {
    expect([0, 1, 2, 3].map((failures) => backoffDelayMs(policy, failures))).toEqual([0, 0, 0, 0]);
  });

  it('starts at the base delay after the last free attempt and doubles with each further failure', () => {
    expect([4, 5, 6, 7, 8].map((failures) => backoffDelayMs(policy, failures))).toEqual([
      2_000, 4_000, 8_000, 16_000, 32_000,
    ]);
  });

  it('never exceeds the maximum delay, however long the streak', () => {
    expect(backoffDelayMs(policy, 9)).toBe(60_000);
    expect(backoffDelayMs(policy, 10_000)).toBe(60_000);
  });

  it('stays a number for a zero base delay however long the streak: no delay at all', () => {
    // Without a cap on the exponent, 0 × 2^10000 would be 0 × Infinity: NaN, not a delay.
    expect(backoffDelayMs({ ...policy, baseDelaySeconds: 0 }, 10_000)).toBe(0);
  });
});

describe('the shipped policies', () => {
  it('hold an account for at most 30 s account-wide, so guessing from elsewhere cannot keep its owner out', async () => {
    expect((await shipped()).defaultAccountPolicy).toEqual({
      freeAttempts: 5,
      baseDelaySeconds: 1,
      maxDelaySeconds: 30,
      resetAfterSeconds: 3600,
    });
  });

  it('hold one account at one address for up to 15 minutes', async () => {
    expect((await shipped()).defaultAccountAtClientIpPolicy).toEqual({
      freeAttempts: 5,
      baseDelaySeconds: 1,
      maxDelaySeconds: 900,
      resetAfterSeconds: 3600,
    });
  });

  it('give an address, which many people may share, 20 free attempts', async () => {
    expect((await shipped()).defaultClientIpPolicy).toEqual({
      freeAttempts: 20,
      baseDelaySeconds: 1,
      maxDelaySeconds: 900,
      resetAfterSeconds: 3600,
    });
  });

  it('cannot be changed at run time', async () => {
    const { defaultAccountPolicy, defaultAccountAtClientIpPolicy, defaultClientIpPolicy } = await shipped();
    for (const policy of [defaultAccountPolicy, defaultAccountAtClientIpPolicy, defaultClientIpPolicy]) {
      expect(Object.isFrozen(policy)).toBe(true);
    }
  });
});
