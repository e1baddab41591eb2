import { BulwarkError, type FieldError } from './bulwark-error.js';

export class RequestBodyTooLargeError extends BulwarkError {
  constructor(maxBytes: number) {
    super('body-too-large', { detail: `The request body exceeds the limit of ${maxBytes} bytes.` });
    this.name = 'RequestBodyTooLargeError';
  }
}

export class MediaTypeUnsupportedError extends BulwarkError {
  constructor() {
    super('unsupported-media-type', { detail: 'This route accepts only application/json request bodies.' });
    this.name = 'MediaTypeUnsupportedError';
  }
}

export class JsonMalformedError extends BulwarkError {
  constructor(cause?: unknown) {
    super('malformed-json', { detail: 'The request body is not valid JSON.', cause });
    this.name = 'JsonMalformedError';
  }
}

export class RequestMalformedError extends BulwarkError {
  constructor(detail: string) {
    super('malformed-request', { detail });
    this.name = 'RequestMalformedError';
  }
}

export class RequestValidationError extends BulwarkError {
  constructor(errors: readonly FieldError[]) {
    super('validation-failed', {
      detail: 'The request body does not match the schema of this route.',
      errors,
    });
    this.name = 'RequestValidationError';
  }
}

export class HostUntrustedError extends BulwarkError {
  constructor() {
    super('untrusted-host', { detail: 'The Host header is not one this API serves.' });
    this.name = 'HostUntrustedError';
  }
}

export class RouteNotFoundError extends BulwarkError {
  constructor() {
    super('not-found', { detail: 'No route matches this path.' });
    this.name = 'RouteNotFoundError';
  }
}

export class MethodNotAllowedError extends BulwarkError {
  constructor(allowedMethods: readonly string[]) {
    super('method-not-allowed', {
      detail: `This path accepts ${allowedMethods.join(', ')}.`,
      headers: { Allow: allowedMethods.join(', ') },
    });
    this.name = 'MethodNotAllowedError';
  }
}

export class DependencyUnavailableError extends BulwarkError {
  /** Which backend failed (`dynamodb`, `secrets-manager`): a metric dimension, never shown to clients. */
  readonly dependency: string;

  constructor(dependency: string, cause: unknown, retryAfterSeconds = 1) {
    super('service-unavailable', {
      detail: 'A backend this route depends on is unavailable; retry later.',
      headers: { 'Retry-After': String(retryAfterSeconds) },
      cause: { dependency, error: cause },
    });
    this.name = 'DependencyUnavailableError';
    this.dependency = dependency;
  }
}

/**
 * The triage model is unavailable (circuit open, failed, timed out or answered nonsense) and no last good
 * answer for this request shape is young enough to serve.
 */
export class TriageUnavailableError extends BulwarkError {
  constructor(retryAfterSeconds: number, cause: unknown) {
    super('triage-unavailable', {
      detail:
        'The model that summarises the logs is unavailable and no recent answer is cached; retry later.',
      headers: { 'Retry-After': String(retryAfterSeconds) },
      cause,
    });
    this.name = 'TriageUnavailableError';
  }
}
