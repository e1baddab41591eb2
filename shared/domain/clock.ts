/** Injected wherever time matters, so tests control it. */
export interface Clock {
  readonly nowMs: () => number;
}

export const systemClock: Clock = Object.freeze({ nowMs: () => Date.now() });
