/** The API-key errors: what a client sees for each, and the internal reason that stays in logs. */
import { describe, expect, it } from 'vitest';
import {
  ApiKeyIdTakenError,
  ApiKeyInvalidError,
  ApiKeyNotFoundError,
  ApiKeySettingsInvalidError,
} from '../../../shared/domain/api-keys/api-key-errors.js';
import { BulwarkError } from '../../../shared/errors/bulwark-error.js';

describe('API-key errors', () => {
  it('answer an invalid key with 401 invalid-credentials, keeping the reason internal', () => {
    const error = new ApiKeyInvalidError('revoked');
    expect(error).toMatchObject({
      name: 'ApiKeyInvalidError',
      code: 'invalid-credentials',
      reason: 'revoked',
    });
  });

  it('answer a missing or revoked key id with the same 404', () => {
    for (const reason of ['missing', 'revoked'] as const) {
      const error = new ApiKeyNotFoundError(reason);
      expect(error).toBeInstanceOf(BulwarkError);
      expect(error).toMatchObject({
        name: 'ApiKeyNotFoundError',
        code: 'not-found',
        reason,
        detail: 'No active API key has this id.',
      });
    }
  });

  it('answer refused settings with 422 and the field errors', () => {
    const errors = [{ path: '/rate_limit', message: 'must be at least 1' }];
    expect(new ApiKeySettingsInvalidError(errors)).toMatchObject({
      name: 'ApiKeySettingsInvalidError',
      code: 'validation-failed',
      detail: 'The API key settings are not valid.',
      errors,
    });
  });

  it('report a generated id that already exists as a server fault with a stable code, never a 4xx', () => {
    const error = new ApiKeyIdTakenError();
    expect(error).not.toBeInstanceOf(BulwarkError);
    expect(error).toMatchObject({
      name: 'ApiKeyIdTakenError',
      code: 'ERR_API_KEY_ID_TAKEN',
      message: 'generated API key id already exists',
    });
  });
});
