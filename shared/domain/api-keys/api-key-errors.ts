import { BulwarkError, type FieldError } from '../../errors/bulwark-error.js';

/** Why a credential was refused. Internal: logs and metrics only; every reason answers the same 401. */
export type ApiKeyInvalidReason = 'malformed' | 'unknown' | 'mismatch' | 'rotated' | 'revoked' | 'expired';

export class ApiKeyInvalidError extends BulwarkError {
  readonly reason: ApiKeyInvalidReason;

  constructor(reason: ApiKeyInvalidReason) {
    super('invalid-credentials', {
      detail: 'The API key is not valid.',
      headers: { 'WWW-Authenticate': 'Bearer realm="bulwark", error="invalid_token"' },
    });
    this.name = 'ApiKeyInvalidError';
    this.reason = reason;
  }
}

/** Why an admin change found no key to change. Internal; both answer the same 404. */
export type ApiKeyNotFoundReason = 'missing' | 'revoked';

export class ApiKeyNotFoundError extends BulwarkError {
  readonly reason: ApiKeyNotFoundReason;

  constructor(reason: ApiKeyNotFoundReason) {
    super('not-found', { detail: 'No active API key has this id.' });
    this.name = 'ApiKeyNotFoundError';
    this.reason = reason;
  }
}

/** Settings refused where they are written (issue, update): the admin API answers 422. */
export class ApiKeySettingsInvalidError extends BulwarkError {
  constructor(errors: readonly FieldError[]) {
    super('validation-failed', { detail: 'The API key settings are not valid.', errors });
    this.name = 'ApiKeySettingsInvalidError';
  }
}

/** A generated key id already exists (2^-100 per pair, or a broken random source). Never a 4xx. */
export class ApiKeyIdTakenError extends Error {
  readonly code = 'ERR_API_KEY_ID_TAKEN';

  constructor() {
    super('generated API key id already exists');
    this.name = 'ApiKeyIdTakenError';
  }
}
