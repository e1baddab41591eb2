import { beforeEach, describe, expect, it, vi } from 'vitest';
import { jsonResponse } from '../../../shared/http/json-response.js';
import type { SecureRequest } from '../../../shared/http/secure-request.js';
import { refreshSessionsFor } from '../../../shared/runtime/refresh-sessions-for.js';
import { importFresh } from '../../support/import-fresh.js';
import { rejectionOf } from '../../support/rejection-of.js';
import { chainOf } from '../../support/test-chain.js';
import {
  apiGatewayEvent,
  issueTestAccessToken,
  lambdaContext,
  testRuntime,
} from '../../support/test-runtime.js';

describe('an authenticated route without a rate limit', () => {
  it('reads the session revocation marker itself, so a logged-out token is refused at once', async () => {
    const runtime = testRuntime();
    const sessions = refreshSessionsFor(runtime);
    const session = await sessions.start({ userId: 'user-1', username: 'alice', roles: ['user'] });
    const { token } = await issueTestAccessToken(runtime, {
      sessionId: session.sessionId,
      subject: 'user-1',
    });
    const handler = await chainOf(runtime, { auth: 'required' }, async ({ principal }) =>
      jsonResponse(200, { id: principal?.id }),
    );
    const call = () =>
      handler(apiGatewayEvent({ headers: { Authorization: `Bearer ${token}` } }), lambdaContext());

    const before = await call();
    expect(before.statusCode).toBe(200);
    expect(JSON.parse(before.body)).toEqual({ id: 'user-1' });

    await sessions.revokeSession(session.sessionId, 'logout');
    const after = await call();
    expect(after.statusCode).toBe(401);
    expect(after.headers?.['WWW-Authenticate']).toBe('Bearer realm="bulwark", error="invalid_token"');
  });
});

type RejectModule = typeof import('../../../shared/middlewares/reject-revoked-sessions.js');

describe('rejectRevokedSessions on its own', () => {
  // Loaded afresh for each test, so the factory itself (a module constant) is mutation-tested too.
  let rejectRevokedSessions: RejectModule['rejectRevokedSessions'];
  beforeEach(async () => {
    ({ rejectRevokedSessions } = await importFresh<RejectModule>(
      new URL('../../../shared/middlewares/reject-revoked-sessions.js', import.meta.url),
    ));
  });

  const requestWith = (principal: unknown) =>
    ({ context: { bulwark: { principal } } }) as unknown as SecureRequest;

  it('reads nothing for a request without a user session (no principal, an API key)', async () => {
    const isSessionRevoked = vi.fn(async (_sessionId: string) => true);
    const check = rejectRevokedSessions({ isSessionRevoked }).before;
    await check?.(requestWith(undefined));
    await check?.(requestWith({ kind: 'api_key', id: 'bwk_abcdefghijklmnopqrst', roles: ['admin'] }));
    expect(isSessionRevoked).not.toHaveBeenCalled();
  });

  it("refuses a user whose session is revoked as invalid credentials, naming the reason, and reads that session's marker", async () => {
    const isSessionRevoked = vi.fn(async (_sessionId: string) => true);
    const error = await rejectionOf(
      Promise.resolve().then(() =>
        rejectRevokedSessions({ isSessionRevoked }).before?.(
          requestWith({ kind: 'user', id: 'user-1', roles: ['user'], sessionId: 'sess-1', tokenId: 't' }),
        ),
      ),
    );
    expect(error).toMatchObject({ code: 'invalid-credentials', reason: 'session_revoked' });
    expect(isSessionRevoked).toHaveBeenCalledWith('sess-1');
  });
});
