import type { Target } from './target.js';

/** One attack, tried over HTTP only, with the answer a user of the stack must see. */
export interface SecurityCheck {
  /** Stable id, `<family>.<attack>`: what the report, CI and issues name. */
  readonly id: string;
  /** What a PASS proves, as one sentence. */
  readonly proves: string;
  /**
   * Why the check needs the suite's own local stack (it forges client addresses, stops the backend, signs
   * tokens with the development key or sets TRUSTED_HOSTS). Absent: the check also runs against a stage.
   */
  readonly localOnly?: string;
  /** Throws CheckFailedError with what was seen, or CheckSkippedError with why it cannot run. */
  readonly run: (target: Target) => Promise<void>;
}

export type CheckStatus = 'PASS' | 'FAIL' | 'SKIP';

export interface CheckResult {
  readonly id: string;
  readonly proves: string;
  readonly status: CheckStatus;
  /** FAIL: what was seen; SKIP: why. */
  readonly detail?: string;
  readonly elapsedMs: number;
}

/** The server answered in a way the check forbids; the message says what was seen. */
export class CheckFailedError extends Error {
  constructor(seen: string) {
    super(seen);
    this.name = 'CheckFailedError';
  }
}

/** The check cannot run against this target (a credential or setting is missing). */
export class CheckSkippedError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'CheckSkippedError';
  }
}

export const fail = (seen: string): never => {
  throw new CheckFailedError(seen);
};

export const skip = (reason: string): never => {
  throw new CheckSkippedError(reason);
};

/** Runs one variant of a check; a failure names the variant (`jku header: expected 401 ...`). */
export const variant = async (label: string, run: () => Promise<unknown>): Promise<void> => {
  try {
    await run();
  } catch (error) {
    if (error instanceof CheckFailedError) throw new CheckFailedError(`${label}: ${error.message}`);
    throw error;
  }
};
