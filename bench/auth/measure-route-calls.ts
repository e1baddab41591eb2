import { setTimeout as sleep } from 'node:timers/promises';
import bcrypt from 'bcryptjs';
import { route as healthRoute } from '../../functions/health/route.js';
import { route as loginRoute } from '../../functions/login/route.js';
import { route as refreshRoute } from '../../functions/refresh-token/route.js';
import { createDynamoDbClient } from '../../shared/adapters/dynamodb/create-dynamodb-client.js';
import { createTables } from '../../shared/local/create-tables.js';
import { startDynamoDbLocal } from '../../shared/local/dynamodb-local.js';
import { usersFor } from '../../shared/runtime/users-for.js';
import { benchEvent } from '../bench-event.js';
import { lambdaContext } from '../lambda-context.js';
import { authBenchRuntime, authBenchSecrets } from './auth-bench-runtime.js';
import { startCountingProxy } from './counting-proxy.js';

export type RouteCallsId =
  | 'public'
  | 'login-success'
  | 'login-wrong-password'
  | 'login-unknown-user'
  | 'login-throttled'
  | 'refresh';

export interface RouteCallsResult {
  readonly id: RouteCallsId;
  readonly label: string;
  readonly expectedStatus: number;
  readonly requests: number;
  readonly statuses: ReadonlyMap<number, number>;
  readonly calls: number;
  readonly minCallsPerRequest: number;
  readonly maxCallsPerRequest: number;
  /** Forwarded requests per DynamoDB operation, and `<operation>:items` for multi-item ones. */
  readonly operations: ReadonlyMap<string, number>;
}

type Handler = (
  event: ReturnType<typeof benchEvent>,
  context: ReturnType<typeof lambdaContext>,
) => Promise<{
  statusCode: number;
  body: string;
}>;

const password = 'correct horse battery staple 42';
const username = 'bench.owner';

/**
 * DynamoDB calls per request of the public routes that authenticate (login, per outcome, and refresh)
 * and of a plain public route (health), through their real route modules against DynamoDB Local
 * behind the counting proxy. One request at a time; each login outcome from fresh client addresses
 * (the address's own budget never interferes) except the throttled one, whose address is first
 * driven into its back-off.
 */
export const measureRouteCalls = async (
  requestsPerScenario: number,
  progress: (line: string) => void,
): Promise<readonly RouteCallsResult[]> => {
  const local = await startDynamoDbLocal();
  const setup = createDynamoDbClient({ region: 'local', endpoint: local.endpoint, maxAttempts: 1 });
  const proxy = await startCountingProxy(local.endpoint);
  const clients: { destroy: () => void }[] = [setup];
  try {
    const tables = await createTables(setup, 'bench-routes-');
    const runtime = authBenchRuntime(
      await authBenchSecrets(),
      {
        AWS_REGION: 'local',
        DYNAMODB_ENDPOINT: proxy.endpoint,
        USERS_TABLE_NAME: tables.users,
        SESSIONS_TABLE_NAME: tables.sessions,
        API_KEYS_TABLE_NAME: tables.apiKeys,
        RATE_LIMIT_TABLE_NAME: tables.rateLimits,
        SECURITY_LIMITER_TIMEOUT_MS: '2000',
        DYNAMODB_TIMEOUT_MS: '2000',
        PASSWORD_BCRYPT_COST: '10',
      },
      (config) => {
        const client = createDynamoDbClient({ region: config.awsRegion, endpoint: config.dynamoDbEndpoint });
        clients.push(client);
        return client;
      },
    );
    await usersFor(runtime).create({
      id: 'bench-owner-id',
      username,
      email: 'owner@example.com',
      roles: ['user'],
      passwordHash: await bcrypt.hash(password, 10),
      createdAt: new Date().toISOString(),
    });
    const login = (await loginRoute.build(runtime)) as unknown as Handler;
    const refresh = (await refreshRoute.build(runtime)) as unknown as Handler;
    const health = (await healthRoute.build(runtime)) as unknown as Handler;

    let sequence = 0;
    let addresses = 0;
    const freshAddress = () => {
      addresses += 1;
      return `198.51.${Math.floor(addresses / 250) % 250}.${(addresses % 250) + 1}`;
    };
    const post = (path: string, body: unknown, sourceIp: string) =>
      benchEvent({
        method: 'POST',
        path,
        sourceIp,
        headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': sourceIp },
        body: JSON.stringify(body),
        sequence: ++sequence,
      });
    const send = async (handler: Handler, event: ReturnType<typeof benchEvent>) => {
      const before = proxy.total();
      const operationsBefore = proxy.byOperation();
      const response = await handler(event, lambdaContext(sequence));
      const operations = new Map<string, number>();
      for (const [operation, count] of proxy.byOperation()) {
        const added = count - (operationsBefore.get(operation) ?? 0);
        if (added > 0) operations.set(operation, added);
      }
      return { status: response.statusCode, body: response.body, calls: proxy.total() - before, operations };
    };

    let refreshToken = '';
    const throttledAddress = freshAddress();
    const scenarios: {
      id: RouteCallsId;
      label: string;
      expectedStatus: number;
      handler: Handler;
      event: () => ReturnType<typeof benchEvent>;
      after?: (body: string) => void;
    }[] = [
      {
        id: 'public',
        label: 'public route (GET /health)',
        expectedStatus: 200,
        handler: health,
        event: () =>
          benchEvent({ method: 'GET', path: '/health', sourceIp: freshAddress(), sequence: ++sequence }),
      },
      {
        id: 'login-success',
        label: 'login: success',
        expectedStatus: 200,
        handler: login,
        event: () => post('/auth/login', { username, password }, freshAddress()),
        after: (body) => {
          refreshToken = (JSON.parse(body) as { refresh_token: string }).refresh_token;
        },
      },
      {
        id: 'login-wrong-password',
        label: 'login: wrong password',
        expectedStatus: 401,
        handler: login,
        event: () => post('/auth/login', { username, password: 'wrong password 1234' }, freshAddress()),
      },
      {
        id: 'login-unknown-user',
        label: 'login: unknown user',
        expectedStatus: 401,
        handler: login,
        event: () => post('/auth/login', { username: 'nobody.here', password }, freshAddress()),
      },
      {
        id: 'login-throttled',
        label: 'login: throttled (address in back-off)',
        expectedStatus: 429,
        handler: login,
        event: () =>
          post('/auth/login', { username: 'target.account', password: 'guess 12345678' }, throttledAddress),
      },
      {
        id: 'refresh',
        label: 'refresh (rotate the refresh token)',
        expectedStatus: 200,
        handler: refresh,
        event: () => post('/auth/refresh', { refresh_token: refreshToken }, freshAddress()),
        after: (body) => {
          refreshToken = (JSON.parse(body) as { refresh_token: string }).refresh_token;
        },
      },
    ];

    // Drive the throttled scenario's address into a back-off that outlasts the measured requests: guess
    // until a 429 whose Retry-After is at least 30 s, waiting out the shorter ones (they double).
    const throttledScenario = scenarios.find((entry) => entry.id === 'login-throttled');
    for (let guess = 0; throttledScenario !== undefined && guess < 60; guess += 1) {
      const event = throttledScenario.event();
      const response = await login(event, lambdaContext(sequence));
      if (response.statusCode !== 429) continue;
      const retryAfter = Number(
        (response as { headers?: Record<string, unknown> }).headers?.['Retry-After'] ?? 1,
      );
      if (retryAfter >= 30) break;
      await sleep(retryAfter * 1000);
    }
    progress(`   ${requestsPerScenario} requests per route scenario, one at a time...`);
    const results: RouteCallsResult[] = [];
    for (const scenario of scenarios) {
      const statuses = new Map<number, number>();
      const operations = new Map<string, number>();
      let calls = 0;
      let min = Number.POSITIVE_INFINITY;
      let max = 0;
      for (let index = 0; index < requestsPerScenario; index += 1) {
        const outcome = await send(scenario.handler, scenario.event());
        statuses.set(outcome.status, (statuses.get(outcome.status) ?? 0) + 1);
        if (outcome.status === scenario.expectedStatus) scenario.after?.(outcome.body);
        calls += outcome.calls;
        min = Math.min(min, outcome.calls);
        max = Math.max(max, outcome.calls);
        for (const [operation, count] of outcome.operations)
          operations.set(operation, (operations.get(operation) ?? 0) + count);
      }
      results.push({
        id: scenario.id,
        label: scenario.label,
        expectedStatus: scenario.expectedStatus,
        requests: requestsPerScenario,
        statuses,
        calls,
        minCallsPerRequest: min,
        maxCallsPerRequest: max,
        operations,
      });
    }
    return results;
  } finally {
    for (const client of clients) client.destroy();
    await proxy.close();
    await local.stop();
  }
};
