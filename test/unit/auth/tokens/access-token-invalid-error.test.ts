/**
 * The refusal of an access token: one generic answer for every reason (RFC 6750 section 3), the reason
 * kept for logs only.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { BulwarkError } from '../../../../shared/errors/bulwark-error.js';
import { importFresh } from '../../../support/import-fresh.js';

type ErrorModule = typeof import('../../../../shared/auth/tokens/access-token-invalid-error.js');
// Loaded afresh for each test, so the challenge and the reasons (module constants) are mutation-tested too.
let errorModule: ErrorModule;
beforeEach(async () => {
  errorModule = await importFresh<ErrorModule>(
    new URL('../../../../shared/auth/tokens/access-token-invalid-error.js', import.meta.url),
  );
});

describe('AccessTokenInvalidError', () => {
  it('challenges with the Bearer realm and error="invalid_token" whatever the reason', () => {
    const { AccessTokenInvalidError, INVALID_TOKEN_CHALLENGE, accessTokenInvalidReasons } = errorModule;
    expect(INVALID_TOKEN_CHALLENGE).toBe('Bearer realm="bulwark", error="invalid_token"');
    for (const reason of accessTokenInvalidReasons) {
      const error = new AccessTokenInvalidError(reason);
      expect(error.headers).toEqual({
        'WWW-Authenticate': 'Bearer realm="bulwark", error="invalid_token"',
      });
    }
  });

  it('answers invalid credentials with one generic detail, keeping the reason and the cause for logs', () => {
    const { AccessTokenInvalidError } = errorModule;
    const cause = new Error('signature verification failed');
    const error = new AccessTokenInvalidError('signature', { cause });
    expect(error).toBeInstanceOf(BulwarkError);
    expect(error).toMatchObject({
      name: 'AccessTokenInvalidError',
      code: 'invalid-credentials',
      detail: 'The access token is not valid.',
      reason: 'signature',
    });
    expect(error.cause).toBe(cause);
    expect(error.detail).not.toContain('signature');
  });
});
