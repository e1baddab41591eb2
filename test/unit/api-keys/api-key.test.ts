/**
 * What an API key's own limit means: the ceilings beyond which a bucket no longer limits, when a key is
 * unlimited in effect, and the limiter policy a bucket becomes. Loaded afresh for each test, so the
 * ceilings (a module constant) are mutation-tested too (test/support/import-fresh.ts).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { importFresh } from '../../support/import-fresh.js';

type ApiKeyModule = typeof import('../../../shared/domain/api-keys/api-key.js');
let apiKey: ApiKeyModule;
beforeEach(async () => {
  apiKey = await importFresh<ApiKeyModule>(
    new URL('../../../shared/domain/api-keys/api-key.js', import.meta.url),
  );
});

describe('the ceilings of an own bucket', () => {
  it('are a burst of 10,000 and an average of 1,000 requests per second, fixed', () => {
    expect(apiKey.apiKeyLimitCeilings).toEqual({ burst: 10_000, requestsPerSecond: 1_000 });
    expect(Object.isFrozen(apiKey.apiKeyLimitCeilings)).toBe(true);
  });

  it('are exceeded by a larger burst or a higher average, and not at the ceilings themselves', () => {
    expect(apiKey.exceedsCeilings({ burst: 10_000, perSeconds: 10 })).toBe(false);
    expect(apiKey.exceedsCeilings({ burst: 10_001, perSeconds: 3600 })).toBe(true);
    expect(apiKey.exceedsCeilings({ burst: 1_000, perSeconds: 1 })).toBe(false);
    expect(apiKey.exceedsCeilings({ burst: 1_001, perSeconds: 1 })).toBe(true);
  });
});

describe('isUnlimitedInEffect', () => {
  it("is true for 'unlimited' and for a bucket beyond the ceilings, false for the route's policy and any bucket within", () => {
    expect(apiKey.isUnlimitedInEffect('unlimited')).toBe(true);
    expect(apiKey.isUnlimitedInEffect({ burst: 20_000, perSeconds: 60 })).toBe(true);
    expect(apiKey.isUnlimitedInEffect({ burst: 100, perSeconds: 60 })).toBe(false);
    expect(apiKey.isUnlimitedInEffect(undefined)).toBe(false);
  });
});

describe('apiKeyRateLimitPolicy', () => {
  it("makes a key's bucket a token-bucket policy for the limiter", () => {
    expect(apiKey.apiKeyRateLimitPolicy({ burst: 5, perSeconds: 60 })).toEqual({
      kind: 'token_bucket',
      burst: 5,
      perSeconds: 60,
    });
  });
});
