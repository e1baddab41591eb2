/**
 * answerProblems on its own: every error becomes problem+json, backend outages are counted by dependency,
 * client errors are logged at info with their code and server errors at error with their cause.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { BulwarkError } from '../../../shared/errors/bulwark-error.js';
import { LimiterUnavailableError } from '../../../shared/errors/rate-limit-errors.js';
import { DependencyUnavailableError } from '../../../shared/errors/request-errors.js';
import type { SecureRequest } from '../../../shared/http/secure-request.js';
import type { AnswerProblemsOptions } from '../../../shared/middlewares/answer-problems.js';
import { importFresh } from '../../support/import-fresh.js';
import { secureRequestOf } from '../../support/secure-request-of.js';

type ProblemsModule = typeof import('../../../shared/middlewares/answer-problems.js');
// Loaded afresh for each test, so the factory and the dependency reader (module constants) are
// mutation-tested too.
let answerProblems: ProblemsModule['answerProblems'];
beforeEach(async () => {
  ({ answerProblems } = await importFresh<ProblemsModule>(
    new URL('../../../shared/middlewares/answer-problems.js', import.meta.url),
  ));
});

const answer = async (error: unknown, options?: AnswerProblemsOptions, withState = true) => {
  const { request, logged } = secureRequestOf();
  request.error = error as Error;
  if (!withState) (request.context as { bulwark?: unknown }).bulwark = undefined;
  await answerProblems(options).onError?.(request as SecureRequest);
  return { response: request.response, logged };
};

describe('answerProblems', () => {
  it('counts a 503 a backend caused, by dependency, for the DynamoDB limiter and any other backend', async () => {
    const dependencies: string[] = [];
    const countUnavailable = (dependency: string) => dependencies.push(dependency);
    await answer(new DependencyUnavailableError('secrets-manager', new Error('timeout')), {
      countUnavailable,
    });
    await answer(new LimiterUnavailableError(5, new Error('throttled')), { countUnavailable });
    await answer(new BulwarkError('service-unavailable', { detail: 'not a backend' }), { countUnavailable });
    await answer(new Error('bug'), { countUnavailable });
    expect(dependencies).toEqual(['secrets-manager', 'dynamodb']);
  });

  it('counts only backend errors, not another error that happens to carry a dependency field', async () => {
    const dependencies: string[] = [];
    const countUnavailable = (dependency: string) => dependencies.push(dependency);
    const lookalike = Object.assign(new BulwarkError('service-unavailable', { detail: 'x' }), {
      dependency: 'dynamodb',
    });
    const { response } = await answer(lookalike, { countUnavailable });
    expect(response?.statusCode).toBe(503);
    expect(dependencies).toEqual([]);
  });

  it('answers a backend outage without a counter too', async () => {
    const { response } = await answer(new DependencyUnavailableError('dynamodb', new Error('timeout')));
    expect(response?.statusCode).toBe(503);
  });

  it('logs a client error at info with its status and code, never its detail', async () => {
    const { logged, response } = await answer(new BulwarkError('forbidden', { detail: 'secret detail' }));
    expect(response?.statusCode).toBe(403);
    expect(logged).toEqual([
      {
        level: 'info',
        message: 'request rejected',
        attributes: { status: 403, code: 'forbidden', client_ip: '192.0.2.1' },
      },
    ]);
  });

  it('logs the client address the chain resolved, so trust hops can be verified from the log', async () => {
    const { request, logged } = secureRequestOf({ clientIp: '203.0.113.7' });
    request.error = new BulwarkError('not-found', { detail: 'No route has this path.' });
    await answerProblems().onError?.(request as SecureRequest);
    request.error = new Error('bug');
    await answerProblems().onError?.(request as SecureRequest);
    expect(logged.map((line) => line.attributes?.client_ip)).toEqual(['203.0.113.7', '203.0.113.7']);
  });

  it('logs a server error at error with its name, cause and stack', async () => {
    const cause = new Error('connection reset');
    const { logged } = await answer(new DependencyUnavailableError('dynamodb', cause));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({
      level: 'error',
      message: 'request failed',
      attributes: {
        status: 503,
        error_name: 'DependencyUnavailableError',
        error: { dependency: 'dynamodb', error: cause },
      },
    });
    expect(String(logged[0]?.attributes?.stack)).toContain('DependencyUnavailableError');
  });

  it('answers an error thrown before the request state existed, with a generated request id', async () => {
    const { response } = await answer(new Error('early'), undefined, false);
    expect(response?.statusCode).toBe(500);
    expect(JSON.parse(response?.body ?? '{}').request_id).toMatch(/^[0-9a-f-]{36}$/);
  });
});
