import type { ProblemCode } from './problem-types.js';

export interface FieldError {
  readonly path: string;
  readonly message: string;
}

export interface BulwarkErrorOptions {
  /** Safe, client-facing explanation. Never include request values or secrets. */
  readonly detail: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly errors?: readonly FieldError[];
  readonly cause?: unknown;
}

/**
 * Base of every error Bulwark turns into a problem response. The code selects status and title
 * from the problem catalogue; `cause` is for logs only and never reaches the client.
 */
export class BulwarkError extends Error {
  readonly code: ProblemCode;
  readonly detail: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly errors: readonly FieldError[] | undefined;

  constructor(code: ProblemCode, options: BulwarkErrorOptions) {
    super(options.detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BulwarkError';
    this.code = code;
    this.detail = options.detail;
    this.headers = options.headers ?? {};
    this.errors = options.errors;
  }
}
