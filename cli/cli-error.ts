import { type ExitCode, exitCodes } from './exit-codes.js';

/** An RFC 9457 problem as the API sends it (only the members the CLI shows). */
export interface Problem {
  readonly type?: string;
  readonly title?: string;
  readonly status?: number;
  readonly detail?: string;
  readonly request_id?: string;
  readonly errors?: readonly { readonly path: string; readonly message: string }[];
}

/** A failure the CLI reports and exits with; the message never holds a secret or a request value. */
export class CliError extends Error {
  readonly exitCode: ExitCode;
  readonly problem: Problem | undefined;
  readonly requestId: string | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(
    message: string,
    options: {
      readonly exitCode: ExitCode;
      readonly problem?: Problem;
      readonly requestId?: string;
      readonly retryAfterSeconds?: number;
    },
  ) {
    super(message);
    this.name = 'CliError';
    this.exitCode = options.exitCode;
    this.problem = options.problem;
    this.requestId = options.requestId;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export const usageError = (message: string): CliError => new CliError(message, { exitCode: exitCodes.usage });
