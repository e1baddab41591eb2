import type { APIGatewayProxyEvent } from 'aws-lambda';
import { createDynamoDbClient } from '../../shared/adapters/dynamodb/create-dynamodb-client.js';
import type { SecureHandler } from '../../shared/chain/create-secure-handler.js';
import { secureRoute } from '../../shared/chain/secure-route.js';
import type { RuntimeConfig } from '../../shared/config/runtime-config.js';
import { jsonResponse } from '../../shared/http/json-response.js';
import { createTables } from '../../shared/local/create-tables.js';
import { startDynamoDbLocal } from '../../shared/local/dynamodb-local.js';
import { routes } from '../../shared/routes/route-table.js';
import { apiKeysFor } from '../../shared/runtime/api-keys-for.js';
import { refreshSessionsFor } from '../../shared/runtime/refresh-sessions-for.js';
import type { Runtime } from '../../shared/runtime/runtime.js';
import { tokenIssuerFor } from '../../shared/runtime/token-issuer-for.js';
import { benchEvent } from '../bench-event.js';
import { lambdaContext } from '../lambda-context.js';
import { type LatencyStats, latencyStats } from '../latency-stats.js';
import { countDynamoDbCalls } from '../limiter/count-dynamodb-calls.js';
import { authBenchRuntime, authBenchSecrets } from './auth-bench-runtime.js';
import { startCountingProxy } from './counting-proxy.js';

export type AuthScenarioId = 'token' | 'api-key' | 'revoked' | 'over-limit';

export interface AuthCallsOptions {
  /** Unmeasured requests per scenario first (JIT, the limiter's first write per key, DynamoDB Local). */
  readonly warmupRequests: number;
  readonly rounds: number;
  readonly requestsPerRound: number;
}

export interface AuthScenarioResult {
  readonly id: AuthScenarioId;
  readonly label: string;
  readonly expectedCalls: number;
  readonly expectedStatus: number;
  readonly requests: number;
  /** Requests per status code answered. */
  readonly statuses: ReadonlyMap<number, number>;
  /** HTTP requests the proxy forwarded to DynamoDB during this scenario's measured requests. */
  readonly calls: number;
  /** Of those, commands sent through `runtime.dynamoDb()` (the rest came from the limiter's client). */
  readonly runtimeClientCalls: number;
  readonly minCallsPerRequest: number;
  readonly maxCallsPerRequest: number;
  /** Forwarded requests per DynamoDB operation. */
  readonly operations: ReadonlyMap<string, number>;
  readonly stats: LatencyStats;
}

export interface AuthCallsResult {
  readonly scenarios: readonly AuthScenarioResult[];
  readonly settings: {
    readonly limiterTimeoutMs: string;
    readonly overLimitRequests: string;
    readonly windowSeconds: string;
  };
  readonly warnings: readonly string[];
}

interface Scenario {
  readonly id: AuthScenarioId;
  readonly label: string;
  readonly expectedCalls: number;
  readonly expectedStatus: number;
  readonly handler: SecureHandler;
  readonly event: (sequence: number) => APIGatewayProxyEvent;
}

const path = '/api/v1/user/me';

/** The limiter's timeout is raised from 300 ms so a JVM pause in DynamoDB Local cannot add a retry. */
const settings = { limiterTimeoutMs: '2000', overLimitRequests: '2', windowSeconds: '86400' } as const;

/** The `current-user` chain with a handler that answers from the principal alone (no users-table read). */
const currentUserChain = (runtime: Runtime): Promise<SecureHandler> =>
  secureRoute(
    routes,
    'current-user',
    { responses: { 200: { description: 'The principal' } } },
    () =>
      async ({ principal }) =>
        jsonResponse(200, { kind: principal?.kind, id: principal?.id, roles: principal?.roles ?? [] }),
  ).build(runtime);

/**
 * DynamoDB calls per authenticated request through the real chain (secureRoute(routes,
 * 'current-user')) against DynamoDB Local behind a counting HTTP proxy, which every
 * client in the process is pointed at (DYNAMODB_ENDPOINT), so the limiter's own client is counted too.
 * Requests run one at a time, so the proxy's count between two requests is that request's.
 */
export const measureAuthCalls = async (
  options: AuthCallsOptions,
  progress: (line: string) => void,
): Promise<AuthCallsResult> => {
  const started = performance.now();
  const at = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
  const local = await startDynamoDbLocal();
  const setup = createDynamoDbClient({ region: 'local', endpoint: local.endpoint, maxAttempts: 1 });
  const proxy = await startCountingProxy(local.endpoint).catch(async (error: unknown) => {
    setup.destroy();
    await local.stop();
    throw error;
  });
  const appClients: { destroy: () => void }[] = [];
  const runtimeCounters: (() => number)[] = [];
  try {
    const tables = await createTables(setup, 'bench-auth-');
    const secrets = await authBenchSecrets();
    const environment = {
      AWS_REGION: 'local',
      DYNAMODB_ENDPOINT: proxy.endpoint,
      USERS_TABLE_NAME: tables.users,
      SESSIONS_TABLE_NAME: tables.sessions,
      API_KEYS_TABLE_NAME: tables.apiKeys,
      RATE_LIMIT_TABLE_NAME: tables.rateLimits,
      SECURITY_LIMITER_TIMEOUT_MS: settings.limiterTimeoutMs,
      API_RATE_LIMIT_WINDOW_SECONDS: settings.windowSeconds,
    };
    // As loadRuntime builds it, plus the counting middleware.
    const createCountedClient = (config: RuntimeConfig) => {
      const client = createDynamoDbClient({ region: config.awsRegion, endpoint: config.dynamoDbEndpoint });
      runtimeCounters.push(countDynamoDbCalls(client, `authRuntime${runtimeCounters.length}`));
      appClients.push(client);
      return client;
    };
    const runtimeClientCalls = () => runtimeCounters.reduce((sum, calls) => sum + calls(), 0);
    // A limit no measured scenario reaches, and a second process whose limit the over-limit one passes.
    // Under 1,000 per window, so API-key requests are decided one write each, never from a lease (a
    // busy key with a quota of 1,000 or more is leased: ADR 0005, hot keys).
    const open = authBenchRuntime(
      secrets,
      { ...environment, API_RATE_LIMIT_REQUESTS: '999' },
      createCountedClient,
    );
    const tight = authBenchRuntime(
      secrets,
      { ...environment, API_RATE_LIMIT_REQUESTS: settings.overLimitRequests },
      createCountedClient,
    );
    const openHandler = await currentUserChain(open);
    const tightHandler = await currentUserChain(tight);

    const sessions = refreshSessionsFor(open);
    const bearerFor = async (username: string, revoke: boolean) => {
      const userId = `bench-user-${username}`;
      const session = await sessions.start({ userId, username, roles: ['user'] });
      const { token } = await tokenIssuerFor(open).issuer.issue({
        subject: userId,
        sessionId: session.sessionId,
        username,
        roles: ['user'],
      });
      if (revoke && (await sessions.revokeSession(session.sessionId, 'logout')) !== 'revoked') {
        throw new Error('the bench session could not be revoked');
      }
      return `Bearer ${token}`;
    };
    const liveBearer = await bearerFor('live.user', false);
    const revokedBearer = await bearerFor('revoked.user', true);
    const limitedBearer = await bearerFor('limited.user', false);
    const { apiKey } = await apiKeysFor(open).apiKeys.issue({ name: 'bench key', roles: ['user'] });
    const get = (headers: Readonly<Record<string, string>>) => (sequence: number) =>
      benchEvent({ method: 'GET', path, headers, sequence });

    const scenarios: Scenario[] = [
      {
        id: 'token',
        label: '(a) Bearer access token',
        expectedCalls: 1,
        expectedStatus: 200,
        handler: openHandler,
        event: get({ Authorization: liveBearer }),
      },
      {
        id: 'api-key',
        label: '(b) API key',
        // The key's record cached by the warm-up: the limiter's one write proves it current.
        expectedCalls: 1,
        expectedStatus: 200,
        handler: openHandler,
        event: get({ 'X-Api-Key': apiKey }),
      },
      {
        id: 'revoked',
        label: "(c) revoked session's token",
        // The warm-up taught this instance the marker exists: refused in process from then on.
        expectedCalls: 0,
        expectedStatus: 401,
        handler: openHandler,
        event: get({ Authorization: revokedBearer }),
      },
      {
        id: 'over-limit',
        label: '(d) over the limit, seen by this instance',
        // Rejected from in-process state, after one consistent read of the revocation marker.
        expectedCalls: 1,
        expectedStatus: 429,
        handler: tightHandler,
        event: get({ Authorization: limitedBearer }),
      },
    ];

    let sequence = 0;
    const send = async (scenario: Scenario) => {
      sequence += 1;
      const event = scenario.event(sequence);
      const context = lambdaContext(sequence);
      const callsBefore = proxy.total();
      const begin = process.hrtime.bigint();
      const response = await scenario.handler(event, context);
      const elapsedNs = Number(process.hrtime.bigint() - begin);
      return { status: response.statusCode, elapsedNs, calls: proxy.total() - callsBefore };
    };

    progress(`   DynamoDB Local, proxy and tables up at ${at()}; warm-up...`);
    // The over-limit scenario's warm-up spends its quota and teaches that instance the window is full.
    for (const scenario of scenarios) {
      for (let index = 0; index < options.warmupRequests; index += 1) await send(scenario);
    }

    const total = options.rounds * options.requestsPerRound;
    progress(`   ${at()} measuring ${options.rounds} x ${options.requestsPerRound} requests per scenario...`);
    const samples = scenarios.map(() => new Float64Array(total));
    const statuses = scenarios.map(() => new Map<number, number>());
    const calls = scenarios.map(() => ({ total: 0, runtime: 0, min: Infinity, max: 0 }));
    const operations = scenarios.map(() => new Map<string, number>());
    for (let round = 0; round < options.rounds; round += 1) {
      for (const [position, scenario] of scenarios.entries()) {
        const into = samples[position] as Float64Array;
        const counted = statuses[position] as Map<number, number>;
        const tally = calls[position] as { total: number; runtime: number; min: number; max: number };
        const operationsBefore = proxy.byOperation();
        const runtimeBefore = runtimeClientCalls();
        for (let index = 0; index < options.requestsPerRound; index += 1) {
          const outcome = await send(scenario);
          into[round * options.requestsPerRound + index] = outcome.elapsedNs;
          counted.set(outcome.status, (counted.get(outcome.status) ?? 0) + 1);
          tally.total += outcome.calls;
          tally.min = Math.min(tally.min, outcome.calls);
          tally.max = Math.max(tally.max, outcome.calls);
        }
        tally.runtime += runtimeClientCalls() - runtimeBefore;
        const byOperation = operations[position] as Map<string, number>;
        for (const [operation, count] of proxy.byOperation()) {
          const added = count - (operationsBefore.get(operation) ?? 0);
          if (added > 0) byOperation.set(operation, (byOperation.get(operation) ?? 0) + added);
        }
      }
    }
    progress(`   ${at()} done.`);

    const results: AuthScenarioResult[] = scenarios.map((scenario, position) => {
      const tally = calls[position] as { total: number; runtime: number; min: number; max: number };
      return {
        id: scenario.id,
        label: scenario.label,
        expectedCalls: scenario.expectedCalls,
        expectedStatus: scenario.expectedStatus,
        requests: total,
        statuses: statuses[position] as Map<number, number>,
        calls: tally.total,
        runtimeClientCalls: tally.runtime,
        minCallsPerRequest: tally.min,
        maxCallsPerRequest: tally.max,
        operations: operations[position] as Map<string, number>,
        stats: latencyStats(samples[position] as Float64Array),
      };
    });
    const warnings = results.flatMap((result) => {
      const wrong = [...result.statuses].filter(([status]) => status !== result.expectedStatus);
      return wrong.length === 0
        ? []
        : [
            `${result.label}: expected ${result.expectedStatus} on every request, got ` +
              wrong.map(([status, count]) => `${status} x${count}`).join(', '),
          ];
    });
    return { scenarios: results, settings, warnings };
  } finally {
    for (const client of appClients) client.destroy();
    setup.destroy();
    await proxy.close();
    await local.stop();
  }
};
