import { BulwarkError } from './bulwark-error.js';

/** RFC 6750 challenges: every 401 names the Bearer scheme; `error` only when a credential was presented. */
export const BEARER_CHALLENGE = 'Bearer realm="bulwark"';
export const INVALID_TOKEN_CHALLENGE = 'Bearer realm="bulwark", error="invalid_token"';
export const INSUFFICIENT_SCOPE_CHALLENGE = 'Bearer realm="bulwark", error="insufficient_scope"';

export class CredentialsMissingError extends BulwarkError {
  constructor(apiKeyHeader: string | undefined) {
    super('unauthenticated', {
      detail:
        apiKeyHeader === undefined
          ? 'This route requires an access token in the Authorization header.'
          : `This route requires an access token (Authorization: Bearer) or an API key in the ${apiKeyHeader} header.`,
      headers: { 'WWW-Authenticate': BEARER_CHALLENGE },
    });
    this.name = 'CredentialsMissingError';
  }
}

export class CredentialsInvalidError extends BulwarkError {
  readonly reason: string;

  constructor(reason: string) {
    super('invalid-credentials', {
      detail: 'The credential presented is not valid.',
      headers: { 'WWW-Authenticate': INVALID_TOKEN_CHALLENGE },
    });
    this.name = 'CredentialsInvalidError';
    this.reason = reason;
  }
}

export class RoleMissingError extends BulwarkError {
  constructor() {
    super('forbidden', {
      detail: 'The authenticated principal lacks a role this route requires.',
      headers: { 'WWW-Authenticate': INSUFFICIENT_SCOPE_CHALLENGE },
    });
    this.name = 'RoleMissingError';
  }
}

/** Unknown user and wrong password are this same error, so the answers are byte-identical. */
export class LoginFailedError extends BulwarkError {
  constructor() {
    super('invalid-credentials', {
      detail: 'The username or password is not correct.',
      headers: { 'WWW-Authenticate': BEARER_CHALLENGE },
    });
    this.name = 'LoginFailedError';
  }
}

export class LoginThrottledError extends BulwarkError {
  constructor(retryAfterSeconds: number) {
    super('login-throttled', {
      detail: 'Too many failed logins for this account or address; retry after the seconds in Retry-After.',
      headers: { 'Retry-After': String(retryAfterSeconds) },
    });
    this.name = 'LoginThrottledError';
  }
}

export class RefreshTokenInvalidError extends BulwarkError {
  constructor() {
    super('invalid-credentials', {
      detail: 'The refresh token is not valid.',
      headers: { 'WWW-Authenticate': INVALID_TOKEN_CHALLENGE },
    });
    this.name = 'RefreshTokenInvalidError';
  }
}

export class RefreshSupersededError extends BulwarkError {
  constructor() {
    super('refresh-superseded', {
      detail:
        'This refresh token was just used by a concurrent request; use the tokens from that response. No new token is issued here.',
    });
    this.name = 'RefreshSupersededError';
  }
}
