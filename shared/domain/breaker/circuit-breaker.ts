// cockatiel's breaker strategies decide per instance; its CircuitBreakerPolicy (with its event and
// executor modules, 7.5 KiB minified) is not used: the open/half-open/closed machine is the shared one
// below, and the triage function's bundle has no room for a second (450 KiB budget, docs/adr/0019).
import type { IBreaker } from 'cockatiel/dist/breaker/Breaker.js';
import { ConsecutiveBreaker } from 'cockatiel/dist/breaker/ConsecutiveBreaker.js';
import type { CircuitState } from 'cockatiel/dist/CircuitBreakerPolicy.js';
import type { Clock } from '../clock.js';
import { type BreakerStateStore, closedState, type SharedBreakerState } from './breaker-state-store.js';

/**
 * A circuit breaker for calls to a dependency Bulwark can live without (a model provider, a data source):
 * never for security decisions, which keep their own fail-closed rules (revocation, API keys, the
 * limiter). Built on cockatiel, which decides per instance (consecutive failures open it, a timeout counts
 * as a failure); the shared state in DynamoDB makes every instance agree (docs/adr/0019):
 * - the instance whose breaker opens writes `open` once (a conditional write; losers adopt the item);
 * - every instance reads the shared state at most every `sharedReadIntervalMs` (and when the cool-down
 *   ends); while it is open, calls are rejected with no DynamoDB request and no call;
 * - when the cool-down ends, one instance wins the probe (a conditional write); only it calls the
 *   dependency, and closes or reopens the circuit (with a growing back-off) by another conditional write.
 * Writes happen on transitions only, never per call. If the store itself fails, each instance falls back
 * to its own cockatiel breaker.
 */
/** cockatiel's strategies are told the position of the circuit; only `closed` calls reach them here. */
const closed = 0 as CircuitState;

export interface CircuitBreakerOptions {
  /** Names the shared item and the metrics' `dependency` dimension. */
  readonly dependency: string;
  /** Consecutive failures (timeouts included) after which one instance opens the circuit. */
  readonly failureThreshold: number;
  /**
   * The per-instance decision, a cockatiel breaker strategy (`SamplingBreaker`, `CountBreaker`, ...);
   * defaults to `new ConsecutiveBreaker(failureThreshold)`. Built anew whenever the circuit closes.
   */
  readonly decision?: () => IBreaker;
  /** How long an opened circuit rejects before a probe; doubled per reopening, up to `maxCoolDownMs`. */
  readonly coolDownMs: number;
  readonly maxCoolDownMs: number;
  /** Each call is cut off after this, its signal aborted, and counted as a failure. */
  readonly callTimeoutMs: number;
  /** How stale this instance's copy of the shared state may get while it believes it closed. */
  readonly sharedReadIntervalMs: number;
}

export type BreakerEvent = 'opened' | 'half_open' | 'closed' | 'rejected';

export interface BreakerDependencies {
  readonly store: BreakerStateStore;
  readonly clock: Clock;
  /** This instance's id in the probe claim. */
  readonly instanceId: string;
  /** Counted only by the instance that made the transition, so fleet-wide sums are exact. */
  readonly onEvent: (event: BreakerEvent) => void;
  /** The shared store failed; the breaker carried on with its own decision. */
  readonly onStoreError: (operation: string, error: unknown) => void;
}

/** The circuit refused the call (open, or another instance is probing): the dependency was not called. */
export class CircuitOpenError extends Error {
  /** When a call may be let through again (epoch ms), for Retry-After. */
  readonly retryAtMs: number;

  constructor(dependency: string, retryAtMs: number) {
    super(`circuit of ${dependency} is open`);
    this.name = 'CircuitOpenError';
    this.retryAtMs = retryAtMs;
  }
}

export interface CircuitBreaker {
  readonly dependency: string;
  /** Runs `call` through the breaker; throws CircuitOpenError when refused, or the call's own failure. */
  readonly execute: <T>(call: (signal: AbortSignal) => Promise<T>) => Promise<T>;
}

const assertOptions = (options: CircuitBreakerOptions): void => {
  const { dependency, decision: _decision, ...numbers } = options;
  if (
    !/^[a-z0-9-]{1,64}$/.test(dependency) ||
    !Object.values(numbers).every((n) => Number.isInteger(n) && n > 0)
  ) {
    throw new TypeError(
      `circuit breaker ${dependency}: a [a-z0-9-] name and positive integer options are required`,
    );
  }
};

export const createCircuitBreaker = (
  options: CircuitBreakerOptions,
  dependencies: BreakerDependencies,
): CircuitBreaker => {
  assertOptions(options);
  const { dependency } = options;
  const { store, clock, instanceId, onEvent, onStoreError } = dependencies;
  /** The call with an abort signal that fires at the deadline, rejected at the deadline whatever it does. */
  const withTimeout = <T>(call: (signal: AbortSignal) => Promise<T>): Promise<T> => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new CallTimedOutError(dependency, options.callTimeoutMs);
        controller.abort(error);
        reject(error);
      }, options.callTimeoutMs);
    });
    return Promise.race([call(controller.signal), deadline]).finally(() => clearTimeout(timer));
  };

  let shared: SharedBreakerState = closedState;
  let readAtMs = Number.NEGATIVE_INFINITY;
  /** This instance's own view: its strategy, and until when it refuses calls after it opened. */
  let decision: IBreaker;
  let localOpenUntilMs = Number.NEGATIVE_INFINITY;

  const adopt = (state: SharedBreakerState): void => {
    // A circuit another instance closed (a newer generation) also resets this instance's own breaker.
    if (state.state === 'closed' && (shared.state === 'open' || state.generation !== shared.generation)) {
      freshLocalBreaker();
    }
    shared = state;
    readAtMs = clock.nowMs();
  };

  const freshLocalBreaker = (): void => {
    decision = options.decision?.() ?? new ConsecutiveBreaker(options.failureThreshold);
    localOpenUntilMs = Number.NEGATIVE_INFINITY;
  };

  const openShared = async (): Promise<void> => {
    try {
      const { won, state } = await store.open(dependency, clock.nowMs(), options.coolDownMs);
      if (won) onEvent('opened');
      adopt(state);
    } catch (error) {
      onStoreError('open', error);
    }
  };

  const refresh = async (): Promise<void> => {
    const now = clock.nowMs();
    const due = now - readAtMs >= options.sharedReadIntervalMs;
    const coolDownOver = shared.state === 'open' && now >= shared.openUntilMs;
    if (!due && !coolDownOver) return;
    try {
      adopt(await store.read(dependency));
    } catch (error) {
      readAtMs = now;
      onStoreError('read', error);
    }
  };

  /** The cool-down after a failed probe: doubled for each failed probe since the circuit last closed. */
  const backoffMs = (streak: number): number =>
    Math.min(options.maxCoolDownMs, options.coolDownMs * 2 ** Math.min(streak, 20));

  const probe = async <T>(call: (signal: AbortSignal) => Promise<T>): Promise<T> => {
    let result: T;
    try {
      result = await withTimeout(call);
    } catch (error) {
      try {
        const next = clock.nowMs() + backoffMs(shared.streak + 1);
        adopt((await store.reopen(dependency, instanceId, next)).state);
      } catch (storeError) {
        onStoreError('reopen', storeError);
      }
      throw error;
    }
    try {
      const { won, state } = await store.close(dependency, instanceId);
      if (won) onEvent('closed');
      adopt(state);
    } catch (storeError) {
      onStoreError('close', storeError);
    }
    return result;
  };

  freshLocalBreaker();

  const reject = (retryAtMs: number): never => {
    onEvent('rejected');
    throw new CircuitOpenError(dependency, retryAtMs);
  };

  return {
    dependency,
    execute: async (call) => {
      await refresh();
      const now = clock.nowMs();
      if (shared.state === 'open') {
        if (now < shared.openUntilMs) return reject(shared.openUntilMs);
        let claim: { won: boolean; state: SharedBreakerState };
        try {
          claim = await store.claimProbe(dependency, instanceId, now, options.callTimeoutMs * 2);
        } catch (error) {
          onStoreError('claim-probe', error);
          return reject(now + options.coolDownMs);
        }
        adopt(claim.state);
        if (claim.won) {
          onEvent('half_open');
          return probe(call);
        }
        // Another instance is probing, or its probe already closed the circuit (then call as usual).
        if (shared.state === 'open')
          return reject(Math.max(now, shared.probeUntilMs ?? shared.openUntilMs) + 1_000);
      }
      if (now < localOpenUntilMs) return reject(localOpenUntilMs);
      try {
        const result = await withTimeout(call);
        decision.success(closed);
        return result;
      } catch (error) {
        if (decision.failure(closed)) {
          // This instance has seen enough: it stops calling, and tells the others (one conditional write).
          localOpenUntilMs = clock.nowMs() + options.coolDownMs;
          if (shared.state === 'closed') await openShared();
        }
        throw error;
      }
    },
  };
};

/** The call ran past `callTimeoutMs` and was cut off (its signal aborted). */
export class CallTimedOutError extends Error {
  constructor(dependency: string, timeoutMs: number) {
    super(`${dependency} did not answer within ${timeoutMs} ms`);
    this.name = 'CallTimedOutError';
  }
}
