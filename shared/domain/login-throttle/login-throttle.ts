import type { Clock } from '../clock.js';
import { wholeSecondsAtLeastOne } from '../rate-limit/rate-limit-decision.js';
import { backoffDelayMs, type LoginThrottlePolicy } from './login-throttle-policy.js';
import type { LoginThrottleStore } from './login-throttle-store.js';

export interface LoginSubject {
  readonly account: string;
  readonly clientIp: string;
}

export type LoginThrottleCheck =
  | { readonly allowed: true }
  | {
      readonly allowed: false;
      readonly retryAfterSeconds: number;
      /** `account_in_flight`: another login for this account is being checked right now. */
      readonly scope: 'account' | 'client_ip' | 'account_in_flight';
    };

export interface LoginThrottle {
  /**
   * Before verifying a password: is either the account or the client IP in a back-off? When not, takes
   * the account's attempt slot, so only one password check per account runs at a time and parallel
   * guesses cannot all slip past the back-off. Release it with `finish` whatever the outcome.
   */
  readonly check: (subject: LoginSubject) => Promise<LoginThrottleCheck>;
  readonly finish: (subject: LoginSubject) => Promise<void>;
  /** After a wrong password or unknown user: count it for both, and start or grow the back-off. */
  readonly recordFailure: (subject: LoginSubject) => Promise<void>;
  /** After a successful login: the account's streak ends (the client IP's does not). */
  readonly recordSuccess: (subject: LoginSubject) => Promise<void>;
}

/**
 * Failure counters per account, per client IP and per account at one client IP. The account-wide
 * back-off is capped short, so an attacker who knows a username can delay its owner by seconds, never
 * lock them out; the long back-off applies per (account, address) and per address, which only the
 * failing addresses suffer. One password check per account runs at a time (the attempt slot).
 */
/** How long an attempt may hold the account's slot: ample for a bcrypt check, short if a Lambda dies. */
const attemptSlotMs = 5_000;

export const createLoginThrottle = (options: {
  readonly store: LoginThrottleStore;
  readonly clock: Clock;
  readonly accountPolicy: LoginThrottlePolicy;
  readonly clientIpPolicy: LoginThrottlePolicy;
  /** Per account and client IP together: the long back-off, which only the failing address suffers. */
  readonly accountAtClientIpPolicy?: LoginThrottlePolicy;
}): LoginThrottle => {
  const { store, clock } = options;
  const scopes = (
    subject: LoginSubject,
  ): readonly { scope: 'account' | 'client_ip'; key: string; policy: LoginThrottlePolicy }[] => [
    { scope: 'account', key: accountKey(subject), policy: options.accountPolicy },
    { scope: 'client_ip', key: `login#ip#${subject.clientIp}`, policy: options.clientIpPolicy },
    ...(options.accountAtClientIpPolicy === undefined
      ? []
      : [
          {
            scope: 'account' as const,
            key: `login#pair#${subject.account}#${subject.clientIp}`,
            policy: options.accountAtClientIpPolicy,
          },
        ]),
  ];

  const accountKey = (subject: LoginSubject): string => `login#account#${subject.account}`;

  return {
    check: async (subject) => {
      const nowMs = clock.nowMs();
      const states = await Promise.all(
        scopes(subject).map(async (entry) => ({ ...entry, state: await store.read(entry.key) })),
      );
      const blocked = states
        .filter((entry) => entry.state !== undefined && entry.state.blockedUntilMs > nowMs)
        .sort((a, b) => (b.state?.blockedUntilMs ?? 0) - (a.state?.blockedUntilMs ?? 0))[0];
      if (blocked?.state === undefined) {
        const acquired = await store.acquireAttempt({
          key: accountKey(subject),
          nowMs,
          untilMs: nowMs + attemptSlotMs,
          expiresAtSeconds: Math.ceil((nowMs + options.accountPolicy.resetAfterSeconds * 1000) / 1000),
        });
        return acquired
          ? { allowed: true }
          : { allowed: false, retryAfterSeconds: 1, scope: 'account_in_flight' };
      }
      return {
        allowed: false,
        retryAfterSeconds: wholeSecondsAtLeastOne(blocked.state.blockedUntilMs - nowMs),
        scope: blocked.scope,
      };
    },
    recordFailure: async (subject) => {
      const nowMs = clock.nowMs();
      await Promise.all(
        scopes(subject).map(async ({ key, policy }) => {
          const expiresAtSeconds = Math.ceil(
            (nowMs + (policy.resetAfterSeconds + policy.maxDelaySeconds) * 1000) / 1000,
          );
          const failures = await store.recordFailure({
            key,
            nowMs,
            streakStartMs: nowMs - policy.resetAfterSeconds * 1000,
            expiresAtSeconds,
          });
          const delayMs = backoffDelayMs(policy, failures);
          if (delayMs > 0) await store.blockUntil({ key, untilMs: nowMs + delayMs, expiresAtSeconds });
        }),
      );
    },
    finish: async (subject) => {
      await store.releaseAttempt(accountKey(subject));
    },
    recordSuccess: async (subject) => {
      // The account's streaks end (account-wide and from this address); the address's own does not.
      await Promise.all(
        scopes(subject)
          .filter((entry) => entry.scope === 'account')
          .map((entry) => store.clear(entry.key)),
      );
    },
  };
};
