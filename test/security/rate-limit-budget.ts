import { setTimeout as sleep } from 'node:timers/promises';
import type { HttpAnswer } from './http-client.js';

/** A key's budget as an admitted answer states it (draft-ietf-httpapi-ratelimit-headers). */
export interface Budget {
  /** `q` of RateLimit-Policy: requests per window. */
  readonly quota: number;
  /** `r` of RateLimit: requests left in this window. */
  readonly remaining: number;
  /** `t` of RateLimit: seconds until the window resets. */
  readonly resetSeconds: number;
}

const parameter = (header: string | undefined, name: string): number | undefined => {
  const found = new RegExp(`;\\s*${name}=(\\d+)`).exec(header ?? '');
  return found?.[1] === undefined ? undefined : Number(found[1]);
};

export const budgetOf = (answer: HttpAnswer): Budget | undefined => {
  const quota = parameter(answer.headers['ratelimit-policy'], 'q');
  const remaining = parameter(answer.headers.ratelimit, 'r');
  const resetSeconds = parameter(answer.headers.ratelimit, 't');
  if (quota === undefined || remaining === undefined || resetSeconds === undefined) return undefined;
  return { quota, remaining, resetSeconds };
};

/** Waits until the budget's window has reset. */
export const awaitNextWindow = (budget: Budget): Promise<void> => sleep(budget.resetSeconds * 1000 + 300);

/**
 * Fixed windows are aligned to the clock: a burst that straddles a reset would start counting again.
 * When less than `seconds` of this window are left, waits for the next one.
 */
export const awaitWindowRoom = async (budget: Budget, seconds: number): Promise<void> => {
  if (budget.resetSeconds < seconds) await awaitNextWindow(budget);
};
