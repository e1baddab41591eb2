/**
 * The small state Lambda instances share about one dependency (item `cb#<dependency>`), so that they
 * agree it is down: written only on transitions, each a conditional write that one instance wins.
 */
export interface SharedBreakerState {
  readonly state: 'closed' | 'open';
  /** While open: when the next probe may be made (epoch ms). */
  readonly openUntilMs: number;
  /** Incremented by every transition: an instance that sees it change knows the circuit moved. */
  readonly generation: number;
  /** Failed probes since the circuit last closed; each doubles the next cool-down. */
  readonly streak: number;
  /** The instance probing right now, and until when its claim holds. */
  readonly probeOwner?: string;
  readonly probeUntilMs?: number;
}

export const closedState: SharedBreakerState = Object.freeze({
  state: 'closed',
  openUntilMs: 0,
  generation: 0,
  streak: 0,
});

/** What a conditional transition came to: whether this caller won, and the state as it now stands. */
export interface Transition {
  readonly won: boolean;
  readonly state: SharedBreakerState;
}

export interface BreakerStateStore {
  /** The shared state (closed when none was ever written). */
  readonly read: (dependency: string) => Promise<SharedBreakerState>;
  /** Opens until `openUntilMs` unless another instance already opened it and its cool-down runs. */
  readonly open: (dependency: string, nowMs: number, coolDownMs: number) => Promise<Transition>;
  /** Claims the one probe after the cool-down; only the winner calls the dependency. */
  readonly claimProbe: (
    dependency: string,
    owner: string,
    nowMs: number,
    probeTimeoutMs: number,
  ) => Promise<Transition>;
  /** The probe succeeded: closed, if `owner` still holds the probe. */
  readonly close: (dependency: string, owner: string) => Promise<Transition>;
  /** The probe failed: open again until `openUntilMs`, if `owner` still holds the probe. */
  readonly reopen: (dependency: string, owner: string, openUntilMs: number) => Promise<Transition>;
}

/** A last good answer per request shape (item `lkg#<dependency>#<key>`) and when it was stored. */
export interface LastGood<T> {
  readonly value: T;
  readonly storedAtMs: number;
}

export interface LastGoodCache<T> {
  readonly get: (dependency: string, key: string) => Promise<LastGood<T> | undefined>;
  /** Stores `value` unless a newer one is already there; kept until `expiresAtMs` at most. */
  readonly put: (
    dependency: string,
    key: string,
    value: T,
    nowMs: number,
    expiresAtMs: number,
  ) => Promise<void>;
}
