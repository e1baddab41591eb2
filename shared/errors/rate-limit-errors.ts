import { BulwarkError } from './bulwark-error.js';

export class QuotaExceededError extends BulwarkError {
  constructor(headers: Readonly<Record<string, string>>) {
    super('quota-exceeded', {
      detail:
        'Too many requests for this client on this route; retry after the number of seconds in Retry-After.',
      headers,
    });
    this.name = 'QuotaExceededError';
  }
}

export class LimiterUnavailableError extends BulwarkError {
  /** The limiter's and the login throttle's state live in DynamoDB. */
  readonly dependency = 'dynamodb';

  constructor(retryAfterSeconds: number, cause: unknown) {
    super('limiter-unavailable', {
      detail: 'Rate limiting is temporarily unavailable, so this route refuses requests; retry later.',
      headers: { 'Retry-After': String(retryAfterSeconds) },
      cause,
    });
    this.name = 'LimiterUnavailableError';
  }
}
