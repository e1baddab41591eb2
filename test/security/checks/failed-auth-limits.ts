/**
 * Requests that fail authentication are rate limited by client address: guessing keys or tokens from one
 * address ends in 429 quota-exceeded past the route's limit, not in 401 forever. A valid principal keeps
 * its own budget, whatever junk arrives from its address.
 */
import { randomBytes } from 'node:crypto';
import { describeAnswer, expectJson, expectProblem, tally } from '../expect-answer.js';
import type { HttpAnswer, HttpRequest } from '../http-client.js';
import { awaitWindowRoom, type Budget, budgetOf } from '../rate-limit-budget.js';
import { fail, type SecurityCheck } from '../security-check.js';
import { bearer, type Client, logIn, type Target } from '../target.js';
import { wellFormedKey } from './api-key-parsing.js';

const path = '/api/v1/user/me';
/** Requests sent at once while flooding. */
const batch = 5;
/** Requests sent after the first 429, which must all be 429 too. */
const confirmations = 2;

interface Principal {
  readonly client: Client;
  readonly token: string;
}

const principals = new WeakMap<Target, Promise<Principal>>();

/** The shared throwaway user, logged in once for this family. */
const principalOf = (target: Target): Promise<Principal> => {
  let principal = principals.get(target);
  if (principal === undefined) {
    principal = (async () => {
      const client = target.client();
      const pair = await logIn(client, await target.throwawayUser());
      return { client, token: pair.access_token };
    })();
    principals.set(target, principal);
  }
  return principal;
};

/** The route's budget as the valid principal sees it, waiting for a fresh window if this one is nearly over. */
const freshBudget = async (client: Client, token: string): Promise<Budget> => {
  const probe = async () => {
    const answer = await client.send({ path, headers: bearer(token) });
    expectJson(answer, 200, 'the valid principal');
    return budgetOf(answer) ?? fail(`GET ${path} carries no RateLimit headers`);
  };
  const budget = await probe();
  if (budget.resetSeconds >= 20) return budget;
  await awaitWindowRoom(budget, 20);
  return probe();
};

/**
 * Sends junk until the first 429 (at most the quota plus a batch), then a few more. Every answer must be
 * 401 or 429 quota-exceeded; the first 429 must come within quota + 1 requests (earlier when earlier
 * checks already spent part of this address's budget) and every later answer must be 429.
 */
const flood = async (client: Client, quota: number, junk: () => HttpRequest): Promise<HttpAnswer[]> => {
  const answers: HttpAnswer[] = [];
  while (answers.length <= quota && !answers.some((answer) => answer.status === 429))
    answers.push(...(await Promise.all(Array.from({ length: batch }, () => client.send(junk())))));
  for (let i = 0; i < confirmations; i += 1) answers.push(await client.send(junk()));
  return answers;
};

const expectLimited = (answers: readonly HttpAnswer[], quota: number): void => {
  const unexpected = answers.find((answer) => answer.status !== 401 && answer.status !== 429);
  if (unexpected !== undefined) fail(`saw ${describeAnswer(unexpected)} among ${tally(answers)}`);
  const first = answers.findIndex((answer) => answer.status === 429);
  if (first < 0)
    fail(`all ${answers.length} requests from one address got 401, none 429 (route limit ${quota})`);
  if (first > quota + batch)
    fail(`the first 429 came only at request ${first + 1} (route limit ${quota}): ${tally(answers)}`);
  const after = answers.slice(-confirmations);
  const admitted = after.find((answer) => answer.status !== 429);
  if (admitted !== undefined) fail(`after the first 429 a request got ${describeAnswer(admitted)}`);
  for (const answer of answers.filter((candidate) => candidate.status === 429))
    expectProblem(answer, 429, 'quota-exceeded', { retryAfter: true });
  for (const answer of answers.filter((candidate) => candidate.status === 401))
    expectProblem(answer, 401, ['invalid-credentials', 'unauthenticated']);
};

interface ApiKeyFlood {
  readonly quota: number;
  readonly answers: readonly HttpAnswer[];
  readonly before: Budget;
  readonly after: HttpAnswer;
}

const apiKeyFloods = new WeakMap<Target, Promise<ApiKeyFlood>>();

/** Random API keys from the valid principal's own address, with its budget read before and after. */
const apiKeyFloodOf = (target: Target): Promise<ApiKeyFlood> => {
  let result = apiKeyFloods.get(target);
  if (result === undefined) {
    result = (async () => {
      const { client, token } = await principalOf(target);
      const before = await freshBudget(client, token);
      const answers = await flood(client, before.quota, () => ({
        path,
        headers: { [target.apiKeyHeader]: wellFormedKey() },
      }));
      const after = await client.send({ path, headers: bearer(token) });
      return { quota: before.quota, answers, before, after };
    })();
    apiKeyFloods.set(target, result);
  }
  return result;
};

const junkToken = (): string =>
  [24, 120, 64].map((bytes) => randomBytes(bytes).toString('base64url')).join('.');

const junkFlood = (id: string, what: string, junk: (target: Target) => HttpRequest): SecurityCheck => ({
  id,
  proves: `more requests than the route's limit from one address with ${what} get 429 quota-exceeded with Retry-After, not 401 forever`,
  run: async (target) => {
    const { client: principal, token } = await principalOf(target);
    const { quota } = await freshBudget(principal, token);
    expectLimited(await flood(target.client(), quota, () => junk(target)), quota);
  },
});

export const failedAuthLimitChecks: readonly SecurityCheck[] = [
  {
    id: 'auth-limit.random-api-keys',
    proves: `more requests than the route's limit from one address with random well-formed API keys get 429 quota-exceeded with Retry-After on GET ${path}, not 401 forever`,
    run: async (target) => {
      const { quota, answers } = await apiKeyFloodOf(target);
      expectLimited(answers, quota);
    },
  },
  junkFlood('auth-limit.junk-bearer-tokens', 'junk Bearer tokens', () => ({
    path,
    headers: bearer(junkToken()),
  })),
  junkFlood('auth-limit.no-credential', 'no credential at all', () => ({ path })),
  {
    id: 'auth-limit.principal-budget-kept',
    proves:
      "a flood of failing requests from a valid principal's own address spends none of that principal's budget",
    run: async (target) => {
      const { before, after } = await apiKeyFloodOf(target);
      if (after.status === 429) fail(`the valid principal got ${describeAnswer(after)} after the flood`);
      expectJson(after, 200, 'the valid principal after the flood');
      const remaining = budgetOf(after)?.remaining;
      if (remaining !== before.remaining - 1)
        fail(
          `its remaining budget went from ${before.remaining} to ${String(remaining)}, not ${before.remaining - 1}`,
        );
    },
  },
];
