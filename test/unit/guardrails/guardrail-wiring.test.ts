/**
 * The guard rails as the chain raises them: through the real route security (rateLimitOf) and the real
 * authentication, on a test runtime whose guard-rail sink captures the events instead of logging them.
 */
import { describe, expect, it } from 'vitest';
import { rateLimitOf } from '../../../shared/chain/route-security.js';
import type { ApiKeyRecord } from '../../../shared/domain/api-keys/api-key.js';
import type { HealthChangedEvent } from '../../../shared/domain/guardrails/guardrails.js';
import {
  RateLimitBackendError,
  type RateLimitStore,
} from '../../../shared/domain/rate-limit/rate-limit-store.js';
import { jsonResponse } from '../../../shared/http/json-response.js';
import { routeById } from '../../../shared/routes/route-table.js';
import { inMemoryApiKeyStore } from '../../support/in-memory-api-key-store.js';
import { chainOf } from '../../support/test-chain.js';
import {
  apiGatewayEvent,
  apiKeyRecord,
  lambdaContext,
  TEST_PEPPER,
  testRuntime,
} from '../../support/test-runtime.js';

const down = async (): Promise<never> => {
  throw new RateLimitBackendError(new Error('DynamoDB unreachable'));
};
const unreachableStore: RateLimitStore = {
  consumeTokenBucket: down,
  consumeFixedWindow: down,
  anyGuardExists: down,
};

const capture = () => {
  const events: HealthChangedEvent[] = [];
  return { events, sink: { publish: async (event: HealthChangedEvent) => void events.push(event) } };
};

describe('guard-rail events raised by the chain', () => {
  it('a route failing open raises limiter_fail_open once per window, and the request is admitted', async () => {
    const { events, sink } = capture();
    const runtime = testRuntime(
      { SECURITY_LIMITER_FAILURE_MODE: 'fail-open' },
      { rateLimitStore: unreachableStore, stores: { guardrailEvents: sink } },
    );
    const handler = await chainOf(
      runtime,
      { auth: 'public', rateLimit: rateLimitOf(runtime, routeById('health')) },
      async () => jsonResponse(200, { status: 'ok' }),
    );
    for (const _ of [1, 2, 3]) {
      expect((await handler(apiGatewayEvent({ path: '/health' }), lambdaContext())).statusCode).toBe(200);
    }
    expect(events.map((event) => [event.kind, event.subject])).toEqual([['limiter_fail_open', 'health']]);
    expect(runtime.counted().filter((metric) => metric.name === 'rate_limit_fail_open')).toHaveLength(3);
  });

  it('an unlimited API key raises api_key_unlimited_used with its id, never its secret', async () => {
    const { events, sink } = capture();
    const keyId = 'bwk_unlimitedkeyaaaaaaaa'.slice(0, 24);
    const secret = 'U'.repeat(43);
    const record: ApiKeyRecord = {
      ...apiKeyRecord({ keyId, secret, pepper: TEST_PEPPER, name: 'firehose', roles: ['user'] }),
      rateLimit: 'unlimited',
    };
    const runtime = testRuntime(
      {},
      { apiKeyStore: inMemoryApiKeyStore([record]), stores: { guardrailEvents: sink } },
    );
    const handler = await chainOf(
      runtime,
      { auth: 'required', rateLimit: rateLimitOf(runtime, routeById('current-user')) },
      async () => jsonResponse(200, {}),
    );
    const answer = await handler(
      apiGatewayEvent({ path: '/api/v1/user/me', headers: { 'x-api-key': `${keyId}:${secret}` } }),
      lambdaContext(),
    );
    expect(answer.statusCode).toBe(200);
    expect(events).toEqual([
      expect.objectContaining({ kind: 'api_key_unlimited_used', subject: keyId, facts: { route: 'route' } }),
    ]);
    expect(JSON.stringify(events)).not.toContain(secret);
  });
});
