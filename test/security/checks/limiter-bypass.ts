/**
 * Limiter bypass: once GET /health has spent its budget (5 a minute per client address), no spelling of
 * the path, no method trick and no client-supplied address header gets another 200.
 */
import { describeAnswer, expectProblem } from '../expect-answer.js';
import type { HttpAnswer, HttpRequest, RawRequest } from '../http-client.js';
import { fail, type SecurityCheck, variant } from '../security-check.js';
import type { Client } from '../target.js';

/** More than the documented 5 a minute, so a 429 must have come by then. */
const maxHealthRequests = 8;

/** Spends this client's GET /health budget: requests until the first 429. */
export const spendHealthBudget = async (client: Client): Promise<HttpAnswer> => {
  for (let i = 0; i < maxHealthRequests; i += 1) {
    const answer = await client.send({ path: '/health' });
    if (answer.status === 429) {
      expectProblem(answer, 429, 'quota-exceeded', { retryAfter: true });
      return answer;
    }
    if (answer.status !== 200) fail(`GET /health answered ${describeAnswer(answer)} before its limit`);
  }
  return fail(`GET /health answered ${maxHealthRequests} requests from one address without a 429`);
};

/**
 * Not admitted: any 4xx (a 429, or a 404/405 for a path or method the API does not serve), never a 2xx
 * or 3xx (the route answered past its limit) and never a 5xx. A body, when there is one, is problem+json;
 * the local server's HTTP parser may refuse a request outright with an empty 400.
 */
const expectNotAdmitted = (answer: HttpAnswer): void => {
  if (answer.status < 400) fail(`admitted past the limit: ${describeAnswer(answer)}`);
  if (answer.status >= 500) fail(`saw ${describeAnswer(answer)}`);
  if (answer.text.length > 0 && !answer.headers['content-type']?.startsWith('application/problem+json'))
    fail(`refused without problem+json: ${describeAnswer(answer)}`);
};

type Attempt = readonly [string, (client: Client) => Promise<HttpAnswer>];

const bypass = (id: string, proves: string, attempts: readonly Attempt[]): SecurityCheck => ({
  id,
  proves: `${proves} after GET /health has spent its budget`,
  run: async (target) => {
    const client = target.client();
    await spendHealthBudget(client);
    for (const [label, attempt] of attempts)
      await variant(label, async () => expectNotAdmitted(await attempt(client)));
  },
});

const get =
  (path: string, request: Omit<HttpRequest, 'path'> = {}) =>
  (client: Client) =>
    client.send({ ...request, path });

const raw = (request: RawRequest) => (client: Client) => client.sendRaw(request);

const paths = (...list: readonly string[]): Attempt[] => list.map((path) => [path, get(path)] as const);

/**
 * Client-supplied address headers. In local mode the suite is the trusted proxy: the entry it appends
 * (the client's real address) stays rightmost, and what a client wrote sits to its left.
 */
const spoofedForwardedFor = (client: Client, spoof: string): string =>
  client.address === undefined ? spoof : `${spoof}, ${client.address}`;

export const limiterBypassChecks: readonly SecurityCheck[] = [
  bypass('bypass.trailing-slash', 'GET /health/ and /health/. get no 200', paths('/health/', '/health/.')),
  bypass('bypass.double-slash', 'GET //health and /health// get no 200', paths('//health', '/health//')),
  bypass('bypass.path-case', 'GET /HEALTH and /Health get no 200', paths('/HEALTH', '/Health')),
  bypass(
    'bypass.query-string',
    'GET /health?x=1 and /health?health get no 200',
    paths('/health?x=1', '/health?health'),
  ),
  bypass(
    'bypass.dot-segments',
    'GET /./health and /x/../health get no 200',
    paths('/./health', '/x/../health', '/health/./'),
  ),
  bypass(
    'bypass.percent-encoding',
    'GET /%68ealth, /heal%74h, /%2Fhealth and /health%2F get no 200',
    paths('/%68ealth', '/heal%74h', '/%2Fhealth', '/health%2F', '/health%00'),
  ),
  bypass('bypass.head-method', 'HEAD /health gets no 2xx', [['HEAD', get('/health', { method: 'HEAD' })]]),
  bypass('bypass.method-case', 'a lowercase method (get /health) gets no 200', [
    ['get', raw({ method: 'get', path: '/health' })],
    ['Get', raw({ method: 'Get', path: '/health' })],
  ]),
  bypass(
    'bypass.forwarded-headers',
    'client-supplied X-Forwarded-For, X-Real-IP, Forwarded, True-Client-IP and similar headers give no fresh budget',
    [
      [
        'X-Forwarded-For',
        (client) =>
          client.send({
            path: '/health',
            headers: { 'x-forwarded-for': spoofedForwardedFor(client, '203.0.113.7') },
          }),
      ],
      [
        'two X-Forwarded-For entries',
        (client) =>
          client.send({
            path: '/health',
            headers: { 'x-forwarded-for': spoofedForwardedFor(client, '203.0.113.8, 203.0.113.9') },
          }),
      ],
      ...(
        [
          ['x-real-ip', '203.0.113.10'],
          ['forwarded', 'for=203.0.113.11;proto=https'],
          ['true-client-ip', '203.0.113.12'],
          ['cf-connecting-ip', '203.0.113.13'],
          ['x-client-ip', '203.0.113.14'],
          ['x-cluster-client-ip', '203.0.113.15'],
          ['x-originating-ip', '203.0.113.16'],
        ] as const
      ).map(([name, value]): Attempt => [name, get('/health', { headers: { [name]: value } })]),
    ],
  ),
];
