/**
 * Revocation at once: after logout the session's tokens are refused on their next request, and a revoked
 * token is a 401 even when its rate limit is also spent (revocation wins over 429).
 */
import { describeAnswer, expectJson, expectProblem, expectSecurityHeaders } from '../expect-answer.js';
import type { HttpAnswer } from '../http-client.js';
import { awaitWindowRoom, budgetOf } from '../rate-limit-budget.js';
import { fail, type SecurityCheck, variant } from '../security-check.js';
import { bearer, type Client, logIn, type TokenPair } from '../target.js';

const me = (client: Client, token: string) =>
  client.send({ path: '/api/v1/user/me', headers: bearer(token) });

const logOut = async (client: Client, pair: TokenPair): Promise<void> => {
  const answer = await client.send({
    method: 'POST',
    path: '/auth/logout',
    headers: bearer(pair.access_token),
  });
  if (answer.status !== 204) fail(`expected 204 from POST /auth/logout; saw ${describeAnswer(answer)}`);
  expectSecurityHeaders(answer, 'the 204 logout answer');
};

const expectRevoked = (answer: HttpAnswer, token: string): void => {
  expectProblem(answer, 401, 'invalid-credentials', { challenge: /error="invalid_token"/, sent: [token] });
};

/** Requests at once while spending a budget: enough to be quick against a stage, few enough to stop near the limit. */
const spendBatch = 5;

export const revocationChecks: readonly SecurityCheck[] = [
  {
    id: 'revocation.logout',
    proves:
      'after POST /auth/logout (204) the access token gets 401 on its very next request, and so does the refresh token of the session',
    run: async (target) => {
      const client = target.client();
      const pair = await logIn(client, await target.throwawayUser());
      expectJson(await me(client, pair.access_token), 200, 'the access token before logout');
      await logOut(client, pair);
      await variant('access token after logout', async () =>
        expectRevoked(await me(client, pair.access_token), pair.access_token),
      );
      await variant('refresh token after logout', async () =>
        expectProblem(
          await client.send({
            method: 'POST',
            path: '/auth/token/refresh',
            json: { refresh_token: pair.refresh_token },
          }),
          401,
          'invalid-credentials',
          { sent: [pair.refresh_token] },
        ),
      );
    },
  },
  {
    id: 'revocation.wins-over-rate-limit',
    proves:
      'an access token that is over its rate limit (429) and then revoked by logout gets 401, not 429: revocation wins',
    run: async (target) => {
      const client = target.client();
      // A user of its own: spending the shared user's budget would turn other checks' 200s into 429s.
      const pair = await logIn(client, await target.createUser());
      const first = await me(client, pair.access_token);
      expectJson(first, 200, 'the access token');
      const budget = budgetOf(first) ?? fail('GET /api/v1/user/me carries no RateLimit headers');
      await awaitWindowRoom(budget, 20);
      let limited: HttpAnswer | undefined;
      for (let sent = 0; limited === undefined && sent <= budget.quota + spendBatch; sent += spendBatch) {
        const answers = await Promise.all(
          Array.from({ length: spendBatch }, () => me(client, pair.access_token)),
        );
        limited = answers.find((answer) => answer.status === 429);
        const other = answers.find((answer) => answer.status !== 200 && answer.status !== 429);
        if (other !== undefined) fail(`spending the budget: ${describeAnswer(other)}`);
      }
      if (limited === undefined) return fail(`no 429 after ${budget.quota + spendBatch} requests`);
      expectProblem(limited, 429, 'quota-exceeded', { retryAfter: true });
      await logOut(client, pair);
      const after = await me(client, pair.access_token);
      if (after.status === 429)
        fail(
          `the revoked, over-limit token got ${describeAnswer(after)}: the limiter answered before revocation`,
        );
      expectRevoked(after, pair.access_token);
    },
  },
];
