import type { RateLimitStore } from '../../../shared/domain/rate-limit/rate-limit-store.js';
import { inMemoryRateLimitStore } from '../../support/in-memory-rate-limit-store.js';

/** The in-memory store (contract-tested against DynamoDB) with every write recorded. */
export const countingStore = (guardExists?: (key: string) => boolean) => {
  const inner = inMemoryRateLimitStore(guardExists);
  const writes: { readonly kind: string; readonly assume?: string; readonly take?: number }[] = [];
  const store: RateLimitStore = {
    anyGuardExists: inner.anyGuardExists,
    consumeTokenBucket: (request) => {
      writes.push({ kind: 'token_bucket', assume: request.assume });
      return inner.consumeTokenBucket(request);
    },
    consumeFixedWindow: (request) => {
      writes.push({ kind: 'fixed_window', take: request.take ?? 1 });
      return inner.consumeFixedWindow(request);
    },
  };
  return { store, writes };
};

export const manualClock = (startMs: number) => {
  let now = startMs;
  return {
    nowMs: () => now,
    advance: (ms: number) => {
      now += ms;
    },
    set: (ms: number) => {
      now = ms;
    },
  };
};
