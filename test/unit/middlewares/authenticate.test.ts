import { describe, expect, it } from 'vitest';
import type { ApiKeyRateLimit } from '../../../shared/domain/api-keys/api-key.js';
import type { SecureRequest } from '../../../shared/http/secure-request.js';
import { authenticate } from '../../../shared/middlewares/authenticate.js';
import { rejectionOf } from '../../support/rejection-of.js';
import { apiGatewayEvent, lambdaContext } from '../../support/test-runtime.js';

const requestWith = (
  headers: Record<string, string>,
  multiValueHeaders?: Record<string, string[]>,
): SecureRequest => {
  const lower = Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]),
  );
  const context = lambdaContext();
  context.bulwark = {
    requestId: 'req-1',
    log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
    clientIp: '192.0.2.1',
    principal: undefined,
    body: undefined,
    revocationGuards: [],
    responseHeaders: {},
  };
  return {
    event: {
      ...apiGatewayEvent(),
      headers: lower,
      multiValueHeaders:
        multiValueHeaders ??
        Object.fromEntries(Object.entries(lower).map(([name, value]) => [name, [value]])),
    },
    context,
    response: undefined,
    error: undefined,
    internal: {},
  } as unknown as SecureRequest;
};

const withKeyLimit = (rateLimit: ApiKeyRateLimit) => {
  const counted: string[] = [];
  const middleware = authenticate({
    strategy: 'api_key',
    routeId: 'me',
    apiKeyHeader: 'x-api-key',
    verifyApiKey: async () => ({ keyId: 'bwk_key', roles: ['user'], rateLimit }),
    sessionRevocationKey: (sessionId) => `revoked#${sessionId}`,
    metrics: { count: (metric) => counted.push(metric) },
  });
  return { middleware, counted };
};

describe('authenticate: the unlimited-key guard rail', () => {
  it.each([
    ['"unlimited"', 'unlimited' as const],
    ['a burst beyond the ceiling', { burst: 1_000_000, perSeconds: 604_800 }],
    ['an average beyond 1,000 per second', { burst: 10_000, perSeconds: 1 }],
  ])('counts every use of a key whose limit is %s as a breach', async (_, rateLimit) => {
    const { middleware, counted } = withKeyLimit(rateLimit);
    await middleware.before?.(requestWith({ 'x-api-key': 'bwk_x:y' }));
    expect(counted).toEqual(['api_key_unlimited_used']);
  });

  it('counts nothing for a key whose limit still limits', async () => {
    const { middleware, counted } = withKeyLimit({ burst: 10_000, perSeconds: 10 });
    await middleware.before?.(requestWith({ 'x-api-key': 'bwk_x:y' }));
    expect(counted).toEqual([]);
  });
});

describe('authenticate: exactly one credential', () => {
  it.each([
    ['two API key header lines, the valid one last', { 'x-api-key': ['bwk_junk:junk', 'bwk_x:y'] }],
    ['two API key header lines, the valid one first', { 'x-api-key': ['bwk_x:y', 'bwk_junk:junk'] }],
    ['two Authorization header lines', { authorization: ['Bearer a.b.c', 'Bearer d.e.f'] }],
  ])('refuses %s with 401, whichever line a proxy would keep', async (_, multiValueHeaders) => {
    const { middleware, counted } = withKeyLimit({ burst: 10, perSeconds: 10 });
    const last = Object.fromEntries(
      Object.entries(multiValueHeaders).map(([name, values]) => [name, values.at(-1) ?? '']),
    );
    const error = await rejectionOf(middleware.before?.(requestWith(last, multiValueHeaders)));
    expect(error).toMatchObject({ code: 'invalid-credentials', reason: 'repeated_credential' });
    expect(counted).toEqual(['auth_failure']);
  });
});
