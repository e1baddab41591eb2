/** The limiter's backend error: what the rate-limit middleware and the logs rely on. */
import { describe, expect, it } from 'vitest';
import { RateLimitBackendError } from '../../../shared/domain/rate-limit/rate-limit-store.js';

describe('RateLimitBackendError', () => {
  it('keeps the backend failure as its cause, under a stable code and name', () => {
    const cause = new Error('ProvisionedThroughputExceededException');
    const error = new RateLimitBackendError(cause);
    expect(error).toBeInstanceOf(Error);
    expect(error.cause).toBe(cause);
    expect(error.code).toBe('ERR_RATE_LIMIT_BACKEND');
    expect(error.name).toBe('RateLimitBackendError');
    expect(error.message).toBe('rate limit backend unavailable');
  });
});
