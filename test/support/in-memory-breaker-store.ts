/**
 * The breakers table in memory, with the DynamoDB adapter's conditions (test/unit/breaker/
 * breaker-store-contract.ts runs the same cases against both), for unit tests of the breaker and the
 * triage route. `failing` makes every call throw, as an unreachable table would.
 */
import {
  type BreakerStateStore,
  closedState,
  type LastGood,
  type LastGoodCache,
  type SharedBreakerState,
  type Transition,
} from '../../shared/domain/breaker/breaker-state-store.js';

export interface InMemoryBreakerStore extends BreakerStateStore {
  /** Writes attempted (won or lost): the breaker must write on transitions only. */
  readonly writes: () => number;
  readonly reads: () => number;
  failing: boolean;
}

export const inMemoryBreakerStore = (): InMemoryBreakerStore => {
  const items = new Map<string, SharedBreakerState>();
  let writes = 0;
  let reads = 0;
  const current = (dependency: string): SharedBreakerState => items.get(dependency) ?? closedState;
  const store = {
    failing: false,
    writes: () => writes,
    reads: () => reads,
  } as InMemoryBreakerStore;
  const guard = (): void => {
    if (store.failing) throw new Error('breaker store unavailable');
  };
  const transition = (
    dependency: string,
    allowed: (state: SharedBreakerState, stored: boolean) => boolean,
    next: (state: SharedBreakerState) => SharedBreakerState,
  ): Transition => {
    guard();
    writes += 1;
    const state = current(dependency);
    if (!allowed(state, items.has(dependency))) return { won: false, state };
    const updated = next(state);
    items.set(dependency, updated);
    return { won: true, state: updated };
  };
  const withoutProbe = ({ probeOwner: _owner, probeUntilMs: _until, ...state }: SharedBreakerState) => state;
  return Object.assign(store, {
    read: async (dependency: string) => {
      guard();
      reads += 1;
      return current(dependency);
    },
    open: async (dependency: string, nowMs: number, coolDownMs: number) =>
      transition(
        dependency,
        (state, stored) => !stored || state.state === 'closed',
        (state) => ({
          ...withoutProbe(state),
          state: 'open',
          openUntilMs: nowMs + coolDownMs,
          generation: state.generation + 1,
          streak: 0,
        }),
      ),
    claimProbe: async (dependency: string, owner: string, nowMs: number, probeTimeoutMs: number) =>
      transition(
        dependency,
        (state) =>
          state.state === 'open' &&
          state.openUntilMs <= nowMs &&
          (state.probeUntilMs === undefined || state.probeUntilMs < nowMs),
        (state) => ({
          ...state,
          probeOwner: owner,
          probeUntilMs: nowMs + probeTimeoutMs,
          generation: state.generation + 1,
        }),
      ),
    close: async (dependency: string, owner: string) =>
      transition(
        dependency,
        (state) => state.probeOwner === owner,
        (state) => ({ state: 'closed', openUntilMs: 0, generation: state.generation + 1, streak: 0 }),
      ),
    reopen: async (dependency: string, owner: string, openUntilMs: number) =>
      transition(
        dependency,
        (state) => state.probeOwner === owner,
        (state) => ({
          ...withoutProbe(state),
          openUntilMs,
          streak: state.streak + 1,
          generation: state.generation + 1,
        }),
      ),
  });
};

export interface InMemoryLastGoodCache<T> extends LastGoodCache<T> {
  failing: boolean;
}

export const inMemoryLastGoodCache = <T>(): InMemoryLastGoodCache<T> => {
  const items = new Map<string, LastGood<T>>();
  const cache: InMemoryLastGoodCache<T> = {
    failing: false,
    get: async (dependency, key) => {
      if (cache.failing) throw new Error('cache unavailable');
      const found = items.get(`${dependency}#${key}`);
      return found === undefined
        ? undefined
        : { value: structuredClone(found.value), storedAtMs: found.storedAtMs };
    },
    put: async (dependency, key, value, nowMs) => {
      if (cache.failing) throw new Error('cache unavailable');
      const existing = items.get(`${dependency}#${key}`);
      if (existing === undefined || existing.storedAtMs < nowMs) {
        items.set(`${dependency}#${key}`, { value: structuredClone(value), storedAtMs: nowMs });
      }
    },
  };
  return cache;
};
