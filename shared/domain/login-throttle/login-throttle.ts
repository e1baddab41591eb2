import type { Clock } from '../clock.js';
import { wholeSecondsAtLeastOne } from '../rate-limit/rate-limit-decision.js';
import { backoffDelayMs, type LoginThrottlePolicy } from './login-throttle-policy.js';
import type {
  ConditionalStreakWrite,
  LoginFailureState,
  LoginThrottleStore,
} from './login-throttle-store.js';

export interface LoginSubject {
  readonly account: string;
  readonly clientIp: string;
}

/** One password check the throttle let through. Report its verdict, then always `finish` it. */
export interface LoginAttempt {
  /** Wrong password or unknown user: counted for the account, the account at this address and the address. */
  readonly recordFailure: () => Promise<void>;
  /** Right password: the account's streaks end, and the address gets its charged attempt back. */
  readonly recordSuccess: () => Promise<void>;
  /** Releases the account's slot; an attempt that ended without a verdict is given back to the address. */
  readonly finish: () => Promise<void>;
}

export type LoginThrottleCheck =
  | { readonly allowed: true; readonly attempt: LoginAttempt }
  | {
      readonly allowed: false;
      readonly retryAfterSeconds: number;
      /** `account_in_flight`: another login for this account is being checked right now. */
      readonly scope: 'account' | 'client_ip' | 'account_in_flight';
    };

export interface LoginThrottle {
  /**
   * Before verifying a password. Refuses while a back-off applies; otherwise charges the attempt to the
   * client address and takes the account's attempt slot, both by conditional writes, so no number of
   * parallel guesses gets more password checks than the same guesses made one after another.
   */
  readonly check: (subject: LoginSubject) => Promise<LoginThrottleCheck>;
}

/** How long an attempt may hold the account's slot: ample for a bcrypt check, short if a Lambda dies. */
const attemptSlotMs = 5_000;
/** Conditional writes one charge may take under contention before it gives up and refuses. */
const maxChargeWrites = 6;

/**
 * Failure counters per account, per client address and per account at one address.
 *
 * - The address budget (`clientIpPolicy`) is charged before the password is checked, by one
 *   conditional write that admits the attempt or refuses it, and handed back when the password was
 *   right or never checked. Parallel guesses from one address therefore get exactly the attempts the
 *   policy allows, whatever accounts they name.
 * - The account-wide back-off (`accountPolicy`, short) applies only to addresses that have failed
 *   (against any account) in their current streak: whoever guesses from fresh addresses cannot keep
 *   the owner, on an address without failures, out. Every address that has failed waits for it, and
 *   the long back-off per account at one address (`accountAtClientIpPolicy`) and per address stays.
 * - One password check per account runs at a time (the attempt slot, owned by the attempt that took it).
 */
export const createLoginThrottle = (options: {
  readonly store: LoginThrottleStore;
  readonly clock: Clock;
  readonly accountPolicy: LoginThrottlePolicy;
  readonly clientIpPolicy: LoginThrottlePolicy;
  /** Per account and client IP together: the long back-off, which only the failing address suffers. */
  readonly accountAtClientIpPolicy?: LoginThrottlePolicy;
  /** Unguessable id of one attempt, so only it can release the slot it took. */
  readonly newAttemptId: () => string;
}): LoginThrottle => {
  const { store, clock } = options;
  const accountKey = (subject: LoginSubject): string => `login#account#${subject.account}`;
  const addressKey = (subject: LoginSubject): string => `login#ip#${subject.clientIp}`;
  const pairKey = (subject: LoginSubject): string => `login#pair#${subject.account}#${subject.clientIp}`;

  /** The streaks a failure counts in after the password check (the address was charged before it). */
  const accountStreaks = (subject: LoginSubject) => [
    { key: accountKey(subject), policy: options.accountPolicy },
    ...(options.accountAtClientIpPolicy === undefined
      ? []
      : [{ key: pairKey(subject), policy: options.accountAtClientIpPolicy }]),
  ];

  const streakStartMs = (policy: LoginThrottlePolicy, nowMs: number): number =>
    nowMs - policy.resetAfterSeconds * 1000;
  const expiresAtSeconds = (policy: LoginThrottlePolicy, nowMs: number): number =>
    Math.ceil((nowMs + (policy.resetAfterSeconds + policy.maxDelaySeconds) * 1000) / 1000);
  const hasRunningFailures = (
    state: LoginFailureState | undefined,
    policy: LoginThrottlePolicy,
    nowMs: number,
  ): boolean =>
    state !== undefined && state.failures > 0 && state.lastFailureMs > streakStartMs(policy, nowMs);

  /**
   * One attempt charged to the address, decided by conditional writes only: free while the running
   * streak is under the free attempts, then one attempt per lapse of the back-off, each setting the next
   * block in the same write that counts it. Returns the block this charge set, to lift it on a refund.
   */
  const chargeAddress = async (
    key: string,
    nowMs: number,
    /** The address's streak as the check read it: picks the first write (a stale one costs a retry). */
    known: LoginFailureState | undefined,
  ): Promise<
    { charged: true; blockedUntilMs: number | undefined } | { charged: false; retryAfterMs: number }
  > => {
    const policy = options.clientIpPolicy;
    const common = {
      key,
      nowMs,
      streakStartMs: streakStartMs(policy, nowMs),
      expiresAtSeconds: expiresAtSeconds(policy, nowMs),
    };
    let blockedUntilMs: number | undefined;
    // The first write is chosen from the state read before, exactly as after a refused write.
    let result: ConditionalStreakWrite = { applied: false, state: known };
    for (let write = 0; write < maxChargeWrites; write += 1) {
      if (result.applied) return { charged: true, blockedUntilMs };
      const state = result.state;
      blockedUntilMs = undefined;
      if (state === undefined || state.lastFailureMs <= common.streakStartMs) {
        result = await store.restartStreak(common);
      } else if (state.blockedUntilMs > nowMs) {
        return { charged: false, retryAfterMs: state.blockedUntilMs - nowMs };
      } else if (state.failures < policy.freeAttempts) {
        result = await store.countFreeAttempt({ ...common, freeAttempts: policy.freeAttempts });
      } else {
        blockedUntilMs = nowMs + backoffDelayMs(policy, state.failures + 1);
        result = await store.countBlockedAttempt({
          ...common,
          expectedFailures: state.failures,
          blockedUntilMs,
        });
      }
    }
    if (result.applied) return { charged: true, blockedUntilMs };
    // Only under heavy contention on one address: refusing is the safe answer, and it clears at once.
    return { charged: false, retryAfterMs: 1_000 };
  };

  const attemptFor = (
    subject: LoginSubject,
    owner: string,
    charge: { readonly blockedUntilMs: number | undefined },
    /** The streaks as the check read them, to pick the failure write that usually applies first. */
    seen: ReadonlyMap<string, LoginFailureState | undefined>,
  ): LoginAttempt => {
    let verdict: 'failure' | 'success' | undefined;
    const refund = () =>
      store.refundAttempt({ key: addressKey(subject), blockedUntilMs: charge.blockedUntilMs });
    return {
      recordFailure: async () => {
        verdict = 'failure';
        const nowMs = clock.nowMs();
        await Promise.all(
          accountStreaks(subject).map(async ({ key, policy }) => {
            const failures = await store.recordFailure({
              key,
              nowMs,
              streakStartMs: streakStartMs(policy, nowMs),
              expiresAtSeconds: expiresAtSeconds(policy, nowMs),
              // What the continuing write's condition tests: a failure inside the streak's span.
              streakRunning: (seen.get(key)?.lastFailureMs ?? 0) > streakStartMs(policy, nowMs),
            });
            const delayMs = backoffDelayMs(policy, failures);
            if (delayMs > 0) {
              await store.blockUntil({
                key,
                untilMs: nowMs + delayMs,
                expiresAtSeconds: expiresAtSeconds(policy, nowMs),
              });
            }
          }),
        );
      },
      recordSuccess: async () => {
        verdict = 'success';
        await Promise.all([...accountStreaks(subject).map(({ key }) => store.clear(key)), refund()]);
      },
      finish: async () => {
        // A success deleted the account's item (its streak and the slot with it): nothing to release.
        if (verdict === 'success') return;
        await store.releaseAttempt({ key: accountKey(subject), owner });
        if (verdict === undefined) await refund();
      },
    };
  };

  return {
    check: async (subject) => {
      const nowMs = clock.nowMs();
      const pairPolicy = options.accountAtClientIpPolicy;
      // One call for the three streaks (issue 14: a login's reads were three round trips).
      const states = await store.readAll(
        pairPolicy === undefined
          ? [accountKey(subject), addressKey(subject)]
          : [accountKey(subject), addressKey(subject), pairKey(subject)],
      );
      const [account, address, pair] = states;
      const addressHasFailed =
        hasRunningFailures(address, options.clientIpPolicy, nowMs) ||
        (pairPolicy !== undefined && hasRunningFailures(pair, pairPolicy, nowMs));
      const blocks = [
        { scope: 'account' as const, state: pair },
        { scope: 'account' as const, state: addressHasFailed ? account : undefined },
        { scope: 'client_ip' as const, state: address },
      ]
        .filter((entry) => entry.state !== undefined && entry.state.blockedUntilMs > nowMs)
        .sort((a, b) => (b.state?.blockedUntilMs ?? 0) - (a.state?.blockedUntilMs ?? 0));
      const longest = blocks[0];
      if (longest?.state !== undefined) {
        return {
          allowed: false,
          retryAfterSeconds: wholeSecondsAtLeastOne(longest.state.blockedUntilMs - nowMs),
          scope: longest.scope,
        };
      }

      const charge = await chargeAddress(addressKey(subject), nowMs, address);
      if (!charge.charged) {
        return {
          allowed: false,
          retryAfterSeconds: wholeSecondsAtLeastOne(charge.retryAfterMs),
          scope: 'client_ip',
        };
      }
      const owner = options.newAttemptId();
      const acquired = await store.acquireAttempt({
        key: accountKey(subject),
        owner,
        nowMs,
        untilMs: nowMs + attemptSlotMs,
        expiresAtSeconds: expiresAtSeconds(options.accountPolicy, nowMs),
      });
      if (!acquired) {
        await store.refundAttempt({ key: addressKey(subject), blockedUntilMs: charge.blockedUntilMs });
        return { allowed: false, retryAfterSeconds: 1, scope: 'account_in_flight' };
      }
      const seen = new Map([
        [accountKey(subject), account],
        [pairKey(subject), pair],
      ]);
      return { allowed: true, attempt: attemptFor(subject, owner, charge, seen) };
    },
  };
};
