/**
 * A stopped and a slow DynamoDB, seen from outside: `npm start` runs on a DynamoDB Local of this file's
 * own (so it can be paused without touching the other suites) behind a proxy that can hold answers back.
 * Every route that needs DynamoDB must answer 503 problem+json with Retry-After within about twice
 * SECURITY_LIMITER_TIMEOUT_MS, count it in the metrics, and recover when the backend does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../shared/local/dynamodb-local.js';
import { type DelayProxy, startDelayProxy } from '../support/delay-proxy.js';
import { type LocalStack, startLocalStack } from '../support/local-stack-process.js';

const timeoutMs = 400;
/** Twice the timeout is the promise; the rest is slack for a loaded two-core machine and the HTTP hop. */
const answeredWithinMs = 2 * timeoutMs + 1_200;

let dynamoDb: DynamoDbLocal;
let proxy: DelayProxy;
let stack: LocalStack;
let accessToken: string;

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
  readonly elapsedMs: number;
}

const send = async (
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> => {
  const started = performance.now();
  const response = await fetch(`${stack.baseUrl}${path}`, {
    ...init,
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
    elapsedMs: performance.now() - started,
  };
};

const calls: Record<string, () => Promise<Answer>> = {
  'GET /health': () => send('/health'),
  'GET /api/v1/user/me with an API key': () =>
    send('/api/v1/user/me', { headers: { 'x-api-key': stack.apiKey } }),
  'GET /api/v1/user/me with an access token': () =>
    send('/api/v1/user/me', { headers: { authorization: `Bearer ${accessToken}` } }),
  'POST /auth/login': () =>
    send('/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(stack.admin),
    }),
};

beforeAll(async () => {
  dynamoDb = await startDynamoDbLocal();
  proxy = await startDelayProxy(dynamoDb.endpoint);
  stack = await startLocalStack({
    BULWARK_LOCAL_DYNAMODB_ENDPOINT: proxy.endpoint,
    SECURITY_LIMITER_TIMEOUT_MS: String(timeoutMs),
    API_RATE_LIMIT_REQUESTS: '1000',
    PASSWORD_BCRYPT_COST: '10',
  });
  const login = await calls['POST /auth/login']?.();
  accessToken = String(login?.body.access_token);
  // Warm every route's path through the JVM once, so the first faults are not mistaken for cold starts.
  for (const call of Object.values(calls)) expect((await call()).status).toBe(200);
}, 120_000);

afterAll(async () => {
  dynamoDb?.resume();
  await stack?.stop();
  await proxy?.close();
  await dynamoDb?.stop();
});

const expectUnavailable = (answer: Answer) => {
  expect(answer.status).toBe(503);
  expect(answer.headers.get('content-type')).toBe('application/problem+json');
  expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  expect(String(answer.body.type)).toMatch(/^urn:bulwark:problem:(limiter|service)-unavailable$/);
  expect(answer.headers.get('x-request-id')).toBe(answer.body.request_id);
  expect(answer.elapsedMs).toBeLessThan(answeredWithinMs);
};

const unavailableMetricLines = () =>
  stack
    .logs()
    .split('\n')
    .filter((line) => /"(rate_limit_fail_closed|dependency_unavailable)"/.test(line)).length;

describe.each([
  ['stopped (SIGSTOP: connections open, nothing answers)', () => dynamoDb.pause(), () => dynamoDb.resume()],
  ['slow (every answer 5 s late)', () => proxy.setDelayMs(5_000), () => proxy.setDelayMs(0)],
])('with DynamoDB %s', (_, breakIt, mendIt) => {
  it.each(Object.keys(calls))('%s answers 503 with Retry-After in time and counts it', async (name) => {
    const before = unavailableMetricLines();
    breakIt();
    let answer: Answer;
    try {
      answer = await (calls[name] as () => Promise<Answer>)();
    } finally {
      mendIt();
    }
    expectUnavailable(answer);
    // EMF lines reach stdout through a pipe, a moment after the answer.
    await expect.poll(unavailableMetricLines, { timeout: 5_000 }).toBeGreaterThan(before);
  });

  it('recovers once the backend answers again', async () => {
    for (const call of Object.values(calls)) {
      await expect.poll(async () => (await call()).status, { timeout: 15_000, interval: 250 }).toBe(200);
    }
  });
});
