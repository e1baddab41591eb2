/** The whole seconds a decision reports: RateLimit `t` (may be 0) and Retry-After (at least 1). */
import { beforeEach, describe, expect, it } from 'vitest';
import { importFresh } from '../../support/import-fresh.js';

type DecisionModule = typeof import('../../../shared/domain/rate-limit/rate-limit-decision.js');
// Loaded afresh for each test, so the exported functions (module constants) are mutation-tested too.
let wholeSeconds: DecisionModule['wholeSeconds'];
let wholeSecondsAtLeastOne: DecisionModule['wholeSecondsAtLeastOne'];
beforeEach(async () => {
  ({ wholeSeconds, wholeSecondsAtLeastOne } = await importFresh<DecisionModule>(
    new URL('../../../shared/domain/rate-limit/rate-limit-decision.js', import.meta.url),
  ));
});

describe('wholeSeconds', () => {
  it('rounds up to whole seconds and never goes below 0', () => {
    expect(wholeSeconds(0)).toBe(0);
    expect(wholeSeconds(1)).toBe(1);
    expect(wholeSeconds(1000)).toBe(1);
    expect(wholeSeconds(1001)).toBe(2);
    expect(wholeSeconds(-500)).toBe(0);
  });
});

describe('wholeSecondsAtLeastOne', () => {
  it('rounds up to whole seconds and never goes below 1, so Retry-After is never 0', () => {
    expect(wholeSecondsAtLeastOne(0)).toBe(1);
    expect(wholeSecondsAtLeastOne(-500)).toBe(1);
    expect(wholeSecondsAtLeastOne(1000)).toBe(1);
    expect(wholeSecondsAtLeastOne(2500)).toBe(3);
  });
});
