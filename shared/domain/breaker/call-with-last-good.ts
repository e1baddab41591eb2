import type { Clock } from '../clock.js';
import type { LastGoodCache } from './breaker-state-store.js';
import { type CircuitBreaker, CircuitOpenError } from './circuit-breaker.js';

/** A fresh answer, or the last good one (`degraded`) with its age, while the dependency is down. */
export type Served<T> =
  | { readonly value: T; readonly degraded: false }
  | {
      readonly value: T;
      readonly degraded: true;
      readonly ageSeconds: number;
      /** Why the dependency gave no fresh answer. */
      readonly reason: 'circuit_open' | 'call_failed';
    };

/** Neither a fresh answer nor a last good one young enough: the caller answers 503 with Retry-After. */
export class NoAnswerError extends Error {
  readonly retryAfterSeconds: number;

  constructor(dependency: string, retryAfterSeconds: number, cause: unknown) {
    super(`${dependency} is unavailable and no recent answer is cached`, { cause });
    this.name = 'NoAnswerError';
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export interface LastGoodDependencies<T> {
  readonly breaker: CircuitBreaker;
  readonly cache: LastGoodCache<T>;
  readonly clock: Clock;
  readonly onFallbackServed: (reason: 'circuit_open' | 'call_failed') => void;
  /** The cache failed (read or write); the answer goes on without it. */
  readonly onCacheError: (operation: 'get' | 'put', error: unknown) => void;
}

export interface LastGoodRequest<T> {
  /** The request shape whose answer is cached (same shape, same cached answer). */
  readonly key: string;
  /** Oldest cached answer that may be served. */
  readonly maxAgeMs: number;
  /** How long a stored answer is kept at all (the item's TTL: cleanup only). */
  readonly retentionMs: number;
  readonly call: (signal: AbortSignal) => Promise<T>;
}

/**
 * Calls through the breaker; stores each fresh answer as the last good one for its request shape; when
 * the circuit is open or the call fails, serves that answer with its age if it is young enough, else
 * throws NoAnswerError carrying when to retry. Caching and serving stale answers is for non-security
 * reads only: never put a security decision behind this.
 */
export const callWithLastGood = async <T>(
  dependencies: LastGoodDependencies<T>,
  request: LastGoodRequest<T>,
): Promise<Served<T>> => {
  const { breaker, cache, clock } = dependencies;
  const dependency = breaker.dependency;
  try {
    const value = await breaker.execute(request.call);
    const now = clock.nowMs();
    try {
      await cache.put(dependency, request.key, value, now, now + request.retentionMs);
    } catch (error) {
      dependencies.onCacheError('put', error);
    }
    return { value, degraded: false };
  } catch (failure) {
    const reason = failure instanceof CircuitOpenError ? 'circuit_open' : 'call_failed';
    const now = clock.nowMs();
    const retryAfterSeconds =
      failure instanceof CircuitOpenError ? Math.max(1, Math.ceil((failure.retryAtMs - now) / 1000)) : 5;
    let cached: Awaited<ReturnType<LastGoodCache<T>['get']>>;
    try {
      cached = await cache.get(dependency, request.key);
    } catch (error) {
      dependencies.onCacheError('get', error);
    }
    if (cached === undefined || now - cached.storedAtMs > request.maxAgeMs) {
      throw new NoAnswerError(dependency, retryAfterSeconds, failure);
    }
    dependencies.onFallbackServed(reason);
    return {
      value: cached.value,
      degraded: true,
      ageSeconds: Math.max(0, Math.floor((now - cached.storedAtMs) / 1000)),
      reason,
    };
  }
};
