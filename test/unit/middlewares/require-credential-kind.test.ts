import { describe, expect, it } from 'vitest';
import { route as logout } from '../../../functions/logout/route.js';
import { refreshSessionsFor } from '../../../shared/runtime/refresh-sessions-for.js';
import {
  apiGatewayEvent,
  issueTestAccessToken,
  lambdaContext,
  TEST_API_KEY,
  testRuntime,
} from '../../support/test-runtime.js';
import { expectProblem } from '../http/chain-fixtures.js';

describe('a route that accepts fewer credentials than the strategy (logout: access tokens only)', () => {
  it('declares it in its contract, so the OpenAPI document names only the Bearer scheme', () => {
    expect(logout.contract?.accepts).toEqual(['access_token']);
  });

  it('refuses a valid API key with 401 invalid-credentials, after the rate limit spent its quota', async () => {
    const handler = await logout.build(testRuntime());
    const response = await handler(
      apiGatewayEvent({ method: 'POST', path: '/auth/logout', headers: { 'x-api-key': TEST_API_KEY } }),
      lambdaContext(),
    );
    expectProblem(response, 401, 'invalid-credentials');
    expect(response.headers?.['WWW-Authenticate']).toBe('Bearer realm="bulwark", error="invalid_token"');
    expect(response.headers?.RateLimit).toBeDefined();
  });

  it('lets the access token it accepts through to the handler', async () => {
    const runtime = testRuntime();
    const session = await refreshSessionsFor(runtime).start({
      userId: 'u-1',
      username: 'alice',
      roles: ['user'],
    });
    const { token } = await issueTestAccessToken(runtime, { sessionId: session.sessionId, subject: 'u-1' });
    const handler = await logout.build(runtime);
    const response = await handler(
      apiGatewayEvent({
        method: 'POST',
        path: '/auth/logout',
        headers: { Authorization: `Bearer ${token}` },
      }),
      lambdaContext(),
    );
    expect(response.statusCode).toBe(204);
  });
});
