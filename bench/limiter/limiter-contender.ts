/** One limit in the terms every contender understands: `quota` requests per `periodSeconds`. */
export interface LimitSpec {
  readonly quota: number;
  readonly periodSeconds: number;
}

/**
 * How a contender admits, for the exact maximum a correct limiter may admit: `token_bucket` (GCRA,
 * burst `quota`, one more every `periodSeconds / quota`), `aligned_window` (windows aligned to the
 * epoch) or `first_request_window` (a window opens at the first request after the previous expired).
 */
export type AdmissionModel = 'token_bucket' | 'aligned_window' | 'first_request_window';

export interface DecisionOutcome {
  readonly allowed: boolean;
  /** Wall-clock milliseconds the limiter decided at (read just before the call). */
  readonly atMs: number;
}

export type Decide = (key: string) => Promise<DecisionOutcome>;

export interface InstanceOptions {
  /** Bulwark only: a fixed clock at this time instead of `Date.now()`. */
  readonly fixedNowMs?: number;
}

/** A limiter under test: a fresh instance has its own in-process state, like a new Lambda instance. */
export interface LimiterContender {
  readonly id: string;
  readonly label: string;
  readonly model: AdmissionModel;
  /** Whether this contender counts toward Bulwark's target. */
  readonly bulwark: boolean;
  readonly instance: (limit: LimitSpec, options?: InstanceOptions) => Decide;
  /** DynamoDB calls made through this contender's dedicated client so far. */
  readonly calls: () => number;
}
