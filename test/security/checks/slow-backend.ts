/**
 * A hung backend (the suite's DynamoDB Local stopped with SIGSTOP: connections open, no answers) must turn
 * into a prompt 503 problem+json with Retry-After on every kind of route, never a request that hangs until
 * the client or Lambda gives up, and the stack must serve again once the backend is back.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describeAnswer, expectJson, expectProblem, expectSecurityHeaders } from '../expect-answer.js';
import { type HttpAnswer, NoAnswerError } from '../http-client.js';
import { fail, type SecurityCheck } from '../security-check.js';
import { bearer, type Client, type LocalControls, logIn, type Target } from '../target.js';

const localOnly = 'stops the backend (SIGSTOP of the suite’s own DynamoDB Local), which no stage allows';

/**
 * Two limiter attempts of SECURITY_LIMITER_TIMEOUT_MS each, plus generous slack for a busy two-core
 * machine running other tests: a fixed stack answers in about twice the timeout, today's hangs for minutes.
 */
export const slowBackendDeadlineMs = (limiterTimeoutMs: number): number => 2 * limiterTimeoutMs + 2000;

type Probe = 'health' | 'api-key' | 'bearer' | 'login';

interface Outcome {
  readonly answer?: HttpAnswer;
  /** Why there is no answer (no answer before the deadline, a broken connection). */
  readonly error?: string;
}

interface PausedRun {
  readonly deadlineMs: number;
  readonly outcomes: Readonly<Record<Probe, Outcome>>;
  /** Answers after the backend was resumed. */
  readonly recovered: readonly (readonly [string, HttpAnswer | string])[];
}

const runs = new WeakMap<Target, Promise<PausedRun>>();

const controlsOf = (target: Target): LocalControls => {
  if (target.local === undefined) throw new Error('the slow-backend checks need local mode');
  return target.local;
};

const outcomeOf = async (request: Promise<HttpAnswer>): Promise<Outcome> => {
  try {
    return { answer: await request };
  } catch (error) {
    if (error instanceof NoAnswerError) return { error: error.message };
    throw error;
  }
};

/** Retries for a few seconds: the stack may still be working off requests queued while the backend hung. */
const whenBack = async (send: () => Promise<HttpAnswer>): Promise<HttpAnswer | string> => {
  const deadline = Date.now() + 15_000;
  let last: HttpAnswer | string = 'no answer';
  while (Date.now() < deadline) {
    try {
      last = await send();
      if (last.status === 200) return last;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await sleep(250);
  }
  return last;
};

/** Pauses the backend once for all four probes (they run at once), then resumes it, whatever happens. */
const pausedRunOf = (target: Target): Promise<PausedRun> => {
  let run = runs.get(target);
  if (run === undefined) {
    run = (async () => {
      const controls = controlsOf(target);
      const apiKey = target.adminApiKey ?? fail('needs the admin API key of the local stack');
      const user = await target.throwawayUser();
      const tokenClient = target.client();
      const { access_token: token } = await logIn(tokenClient, user);
      // Warm every path first, so a 503 below can only come from the stopped backend.
      expectJson(
        await tokenClient.send({ path: '/api/v1/user/me', headers: bearer(token) }),
        200,
        'the token',
      );
      const keyClient = target.client();
      const keyHeaders = { [target.apiKeyHeader]: apiKey };
      expectJson(await keyClient.send({ path: '/api/v1/user/me', headers: keyHeaders }), 200, 'the API key');

      const deadlineMs = slowBackendDeadlineMs(controls.limiterTimeoutMs);
      const timeoutMs = deadlineMs + 500;
      const probes: [Probe, Client, Parameters<Client['send']>[0]][] = [
        ['health', target.client(), { path: '/health', timeoutMs }],
        ['api-key', keyClient, { path: '/api/v1/user/me', headers: keyHeaders, timeoutMs }],
        ['bearer', tokenClient, { path: '/api/v1/user/me', headers: bearer(token), timeoutMs }],
        ['login', target.client(), { method: 'POST', path: '/auth/login', json: user, timeoutMs }],
      ];
      controls.pauseBackend();
      let settled: Outcome[];
      try {
        settled = await Promise.all(probes.map(([, client, request]) => outcomeOf(client.send(request))));
      } finally {
        controls.resumeBackend();
      }
      const outcomes = Object.fromEntries(
        probes.map(([name], index) => [name, settled[index] ?? {}]),
      ) as Record<Probe, Outcome>;
      const recovered: [string, HttpAnswer | string][] = [
        ['GET /health', await whenBack(() => target.client().send({ path: '/health' }))],
        [
          'GET /api/v1/user/me with the API key',
          await whenBack(() => keyClient.send({ path: '/api/v1/user/me', headers: keyHeaders })),
        ],
      ];
      return { deadlineMs, outcomes, recovered };
    })();
    runs.set(target, run);
  }
  return run;
};

const describeProbe: Record<Probe, string> = {
  health: 'GET /health (public, rate limited)',
  'api-key': 'GET /api/v1/user/me with an API key',
  bearer: 'GET /api/v1/user/me with a Bearer access token',
  login: 'POST /auth/login',
};

const prompt503 = (probe: Probe): SecurityCheck => ({
  id: `backend.${probe}-503`,
  proves: `with the backend hung, ${describeProbe[probe]} answers 503 problem+json with Retry-After within about twice SECURITY_LIMITER_TIMEOUT_MS`,
  localOnly,
  run: async (target) => {
    const { deadlineMs, outcomes } = await pausedRunOf(target);
    const { answer, error } = outcomes[probe];
    if (answer === undefined) return fail(`${error ?? 'no answer'} (deadline ${deadlineMs} ms)`);
    expectProblem(answer, 503, ['limiter-unavailable', 'service-unavailable'], { retryAfter: true });
    if (answer.elapsedMs > deadlineMs)
      fail(`the 503 took ${answer.elapsedMs} ms, over the ${deadlineMs} ms deadline`);
  },
});

export const slowBackendChecks: readonly SecurityCheck[] = [
  prompt503('health'),
  prompt503('api-key'),
  prompt503('bearer'),
  prompt503('login'),
  {
    id: 'backend.headers-on-503',
    proves: 'the 503 answers of a hung backend carry the security headers',
    localOnly,
    run: async (target) => {
      const answers = Object.values((await pausedRunOf(target)).outcomes).flatMap(({ answer }) =>
        answer?.status === 503 ? [answer] : [],
      );
      if (answers.length === 0) fail('no probe got a 503 to check');
      for (const answer of answers) expectSecurityHeaders(answer, 'a 503 answer');
    },
  },
  {
    id: 'backend.recovers',
    proves: 'once the backend answers again, GET /health and an API-key request get 200 again',
    localOnly,
    run: async (target) => {
      for (const [label, answer] of (await pausedRunOf(target)).recovered)
        if (typeof answer === 'string' || answer.status !== 200)
          fail(
            `${label} after resuming the backend: ${typeof answer === 'string' ? answer : describeAnswer(answer)}`,
          );
    },
  },
];
