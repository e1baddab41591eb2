import type { SharedBreakerState } from './breaker-state-store.js';

/** What /health/full and operators see: no secrets, only the circuit's position. */
export interface BreakerStatus {
  readonly dependency: string;
  readonly state: 'closed' | 'open' | 'half_open';
  /** While open: when a probe may be made (ISO 8601). */
  readonly openUntil?: string;
  readonly generation: number;
}

/** A circuit whose shared state could not be read (the breakers table is unreachable). */
export interface BreakerStatusUnknown {
  readonly dependency: string;
  readonly state: 'unknown';
}

/** The position of a circuit from its shared state, as /health/full reports it. */
export const statusOf = (dependency: string, shared: SharedBreakerState, nowMs: number): BreakerStatus => {
  if (shared.state === 'closed') return { dependency, state: 'closed', generation: shared.generation };
  const probing = shared.probeUntilMs !== undefined && shared.probeUntilMs >= nowMs;
  return {
    dependency,
    state: probing || nowMs >= shared.openUntilMs ? 'half_open' : 'open',
    openUntil: new Date(shared.openUntilMs).toISOString(),
    generation: shared.generation,
  };
};
