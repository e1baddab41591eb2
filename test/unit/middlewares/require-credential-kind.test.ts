import { beforeEach, describe, expect, it } from 'vitest';
import { route as logout } from '../../../functions/logout/route.js';
import type { CredentialKind, Principal } from '../../../shared/auth/principal.js';
import { CredentialsInvalidError } from '../../../shared/errors/auth-errors.js';
import { refreshSessionsFor } from '../../../shared/runtime/refresh-sessions-for.js';
import { importFresh } from '../../support/import-fresh.js';
import { secureRequestOf } from '../../support/secure-request-of.js';
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

describe('requireCredentialKind on its own', () => {
  type KindModule = typeof import('../../../shared/middlewares/require-credential-kind.js');
  // Loaded afresh for each test, so the factory itself (a module constant) is mutation-tested too.
  let requireCredentialKind: KindModule['requireCredentialKind'];
  beforeEach(async () => {
    ({ requireCredentialKind } = await importFresh<KindModule>(
      new URL('../../../shared/middlewares/require-credential-kind.js', import.meta.url),
    ));
  });

  const user: Principal = {
    kind: 'user',
    id: 'u-1',
    username: 'alice',
    roles: ['user'],
    sessionId: 's-1',
    tokenId: 't-1',
  };
  const apiKey: Principal = { kind: 'api_key', id: 'bwk_x', roles: ['user'], rateLimit: undefined };
  const authDisabled: Principal = { kind: 'auth_disabled', id: 'dev', roles: ['admin'] };

  /** The error the middleware throws for `principal`, or undefined when it lets the request through. */
  const refusalOf = (accepts: readonly CredentialKind[], principal: Principal | undefined): unknown => {
    const { request } = secureRequestOf(principal === undefined ? {} : { principal });
    try {
      requireCredentialKind({ accepts }).before?.(request);
      return undefined;
    } catch (error) {
      return error;
    }
  };

  it('lets through a principal that authenticated with an accepted kind', () => {
    expect(refusalOf(['access_token'], user)).toBeUndefined();
    expect(refusalOf(['api_key'], apiKey)).toBeUndefined();
    expect(refusalOf(['access_token', 'api_key'], apiKey)).toBeUndefined();
    expect(refusalOf(['access_token', 'api_key'], user)).toBeUndefined();
  });

  it('refuses with 401 invalid-credentials a kind it does not accept, naming the accepted kinds', () => {
    const error = refusalOf(['access_token'], apiKey);
    expect(error).toBeInstanceOf(CredentialsInvalidError);
    expect((error as CredentialsInvalidError).code).toBe('invalid-credentials');
    expect((error as CredentialsInvalidError).reason).toBe('needs_access_token');
    expect((refusalOf(['api_key'], user) as CredentialsInvalidError).reason).toBe('needs_api_key');
  });

  it('joins several accepted kinds in the reason', () => {
    expect((refusalOf(['access_token', 'api_key'], undefined) as CredentialsInvalidError).reason).toBe(
      'needs_access_token_or_api_key',
    );
  });

  it('refuses a request without a principal, and a principal that presented no credential', () => {
    expect(refusalOf(['access_token', 'api_key'], undefined)).toBeInstanceOf(CredentialsInvalidError);
    expect(refusalOf(['access_token', 'api_key'], authDisabled)).toBeInstanceOf(CredentialsInvalidError);
  });
});
