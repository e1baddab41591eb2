/**
 * Login throttling: guessing from one address slows down, a burst of guesses from one address cannot
 * race past the per-address allowance, and failures from many addresses never keep the owner out.
 */
import { randomBytes } from 'node:crypto';
import { describeAnswer, expectJson, expectProblem, problemCodeOf, tally } from '../expect-answer.js';
import { awaitNextWindow, budgetOf } from '../rate-limit-budget.js';
import { fail, type SecurityCheck } from '../security-check.js';
import { type Client, randomName } from '../target.js';

/** Failed logins one address may make before its back-off starts (the per-address allowance). */
const perAddressFreeFailures = 20;

/**
 * What the same guesses made one after another could get within `elapsedMs`: the free failures, the
 * one that starts the back-off, then one more each time the doubling delay (1 s, 2 s, 4 s, ...) lapses.
 * The server checks passwords one bcrypt at a time, so a burst of 40 takes a second or two.
 */
const sequentialAllowance = (elapsedMs: number): number => {
  let allowed = perAddressFreeFailures + 1;
  for (let waitedMs = 1_000, delayMs = 1_000; waitedMs <= elapsedMs; delayMs *= 2, waitedMs += delayMs)
    allowed += 1;
  return allowed;
};
const concurrentLogins = 40;
/** Wrong passwords after which guessing against one account from one address must be slowed. */
const maxFailuresBeforeThrottle = 10;
/** Addresses that each fail once against the owner's account. */
const attackerAddresses = 6;

/**
 * The burst's answers wait for one bcrypt after another on the local stack's single event loop: on a
 * busy machine that is longer than the client's usual 15 s, and the check counts answers, not time.
 */
const burstTimeoutMs = 90_000;

const logIn = (client: Client, username: string, password: string, timeoutMs?: number) =>
  client.send({
    method: 'POST',
    path: '/auth/login',
    json: { username, password },
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });

const wrongPassword = (): string => `wrong-${randomBytes(12).toString('base64url')}`;

export const loginThrottlingChecks: readonly SecurityCheck[] = [
  {
    id: 'login.guessing-slows-down',
    proves: `wrong passwords for one account from one address get 429 login-throttled with Retry-After within ${maxFailuresBeforeThrottle} attempts`,
    run: async (target) => {
      const user = await target.createUser();
      const client = target.client();
      for (let attempt = 1; attempt <= maxFailuresBeforeThrottle; attempt += 1) {
        const password = wrongPassword();
        const answer = await logIn(client, user.username, password);
        if (answer.status === 429) {
          expectProblem(answer, 429, 'login-throttled', { retryAfter: true, sent: [password] });
          return;
        }
        expectProblem(answer, 401, 'invalid-credentials', { sent: [password] });
      }
      fail(`${maxFailuresBeforeThrottle} wrong passwords in a row from one address all got 401`);
    },
  },
  {
    id: 'login.owner-not-locked-out',
    proves: `after failures against an account from ${attackerAddresses} other addresses, its owner logs in at once from a clean address (200)`,
    localOnly: 'plays many client addresses through X-Forwarded-For, which only the local stack trusts',
    run: async (target) => {
      const user = await target.createUser();
      const failures = [];
      for (let i = 0; i < attackerAddresses; i += 1)
        failures.push(await logIn(target.client(), user.username, wrongPassword()));
      const unexpected = failures.find((answer) => answer.status !== 401 && answer.status !== 429);
      if (unexpected !== undefined) fail(`an attacker's attempt got ${describeAnswer(unexpected)}`);
      const owner = await logIn(target.client(), user.username, user.password);
      if (owner.status === 429)
        fail(
          `the owner's correct password from a clean address got ${describeAnswer(owner)} (attackers saw ${tally(failures)})`,
        );
      expectJson(owner, 200, "the owner's login");
    },
  },
  {
    id: 'login.concurrent-unknown-users',
    proves: `of ${concurrentLogins} concurrent logins from one address, each for a different unknown user, no more get a password check (401) than the same logins one after another (${perAddressFreeFailures} free, one that starts the back-off, one per lapse of it); the rest get 429 login-throttled`,
    run: async (target) => {
      const client = target.client();
      // A body that fails validation passes the route's limiter without counting as a failed login:
      // its RateLimit headers say whether this window still holds the whole burst.
      const probe = await client.send({ method: 'POST', path: '/auth/login', json: {} });
      const budget = budgetOf(probe);
      if (probe.status === 422 && budget !== undefined && budget.remaining < concurrentLogins + 1)
        await awaitNextWindow(budget);
      const started = performance.now();
      const answers = await Promise.all(
        Array.from({ length: concurrentLogins }, () =>
          logIn(client, randomName('nobody'), wrongPassword(), burstTimeoutMs),
        ),
      );
      const allowance = sequentialAllowance(performance.now() - started);
      const checked = answers.filter((answer) => answer.status === 401);
      const unexpected = answers.find(
        (answer) =>
          answer.status !== 401 && !(answer.status === 429 && problemCodeOf(answer) === 'login-throttled'),
      );
      if (unexpected !== undefined) fail(`saw ${describeAnswer(unexpected)} among ${tally(answers)}`);
      if (checked.length > allowance)
        fail(
          `${checked.length} of ${concurrentLogins} got a password check (401), more than the ${allowance} sequential guesses would get: ${tally(answers)}`,
        );
      for (const answer of checked) expectProblem(answer, 401, 'invalid-credentials');
      for (const answer of answers.filter((candidate) => candidate.status === 429))
        expectProblem(answer, 429, 'login-throttled', { retryAfter: true });
    },
  },
];
