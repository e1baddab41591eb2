/**
 * Refresh-token rotation under races and replays: one winner per token, losers get 409 and nothing else,
 * and a replay after the grace window ends the whole session.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describeAnswer, expectJson, expectProblem, tally } from '../expect-answer.js';
import { fail, type SecurityCheck, variant } from '../security-check.js';
import { bearer, type Client, logIn, type TokenPair } from '../target.js';

const concurrentRefreshes = 10;

const refresh = (client: Client, refreshToken: string) =>
  client.send({ method: 'POST', path: '/auth/token/refresh', json: { refresh_token: refreshToken } });

const me = (client: Client, token: string) =>
  client.send({ path: '/api/v1/user/me', headers: bearer(token) });

export const refreshReplayChecks: readonly SecurityCheck[] = [
  {
    id: 'refresh.concurrent-rotation',
    proves: `of ${concurrentRefreshes} concurrent refreshes with one refresh token exactly one gets 200 and a new pair; the others get 409 refresh-superseded carrying no token`,
    run: async (target) => {
      const client = target.client();
      const pair = await logIn(client, await target.throwawayUser());
      const answers = await Promise.all(
        Array.from({ length: concurrentRefreshes }, () => refresh(client, pair.refresh_token)),
      );
      const winners = answers.filter((answer) => answer.status === 200);
      if (winners.length !== 1) fail(`expected exactly one 200; saw ${tally(answers)}`);
      for (const loser of answers.filter((answer) => answer.status !== 200)) {
        expectProblem(loser, 409, 'refresh-superseded', { sent: [pair.refresh_token] });
        if (/brt_|eyJ/.test(loser.text)) fail('a 409 loser carries a token');
      }
      const successor = expectJson<TokenPair>(
        winners[0] ?? answers[0] ?? fail('no answers'),
        200,
        'the winner',
      );
      expectJson(await me(client, successor.access_token), 200, "the winner's access token");
    },
  },
  {
    id: 'refresh.replay-revokes-session',
    proves:
      'replaying a superseded refresh token after the grace window gets 401 and revokes the session: the old and new access tokens and the successor refresh token all get 401',
    run: async (target) => {
      const client = target.client();
      const pair = await logIn(client, await target.throwawayUser());
      const rotated = await refresh(client, pair.refresh_token);
      const successor = expectJson<TokenPair>(rotated, 200, 'the first refresh');
      expectJson(await me(client, successor.access_token), 200, "the successor's access token");
      await sleep(target.refreshGraceSeconds * 1000 + 1200);
      const replay = await refresh(client, pair.refresh_token);
      if (replay.status === 200)
        fail(`the replay after the grace window got a new pair: ${describeAnswer(replay)}`);
      expectProblem(replay, 401, 'invalid-credentials', { sent: [pair.refresh_token] });
      const tokens: [string, string][] = [
        ["the successor's access token", successor.access_token],
        ['the first access token', pair.access_token],
      ];
      for (const [label, token] of tokens)
        await variant(label, async () =>
          expectProblem(await me(client, token), 401, 'invalid-credentials', { sent: [token] }),
        );
      await variant('the successor refresh token', async () =>
        expectProblem(await refresh(client, successor.refresh_token), 401, 'invalid-credentials'),
      );
    },
  },
];
