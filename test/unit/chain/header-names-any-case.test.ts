/**
 * Header lines whose names differ only in case are one header (RFC 9110 section 5.1): the chain must see
 * every value they carry. Found by an outside test: `Authorization: Bearer junk` then
 * `authorization: Bearer <valid>` passed, because lower-casing the names kept one line and dropped the
 * other, so the repeated-credential refusal never saw two.
 */
import { describe, expect, it } from 'vitest';
import { jsonResponse } from '../../../shared/http/json-response.js';
import { refreshSessionsFor } from '../../../shared/runtime/refresh-sessions-for.js';
import { chainOf } from '../../support/test-chain.js';
import {
  apiGatewayEvent,
  issueTestAccessToken,
  lambdaContext,
  testRuntime,
} from '../../support/test-runtime.js';

const protectedRoute = async () => {
  const runtime = testRuntime();
  const session = await refreshSessionsFor(runtime).start({
    userId: 'user-1',
    username: 'alice',
    roles: ['user'],
  });
  const { token } = await issueTestAccessToken(runtime, { sessionId: session.sessionId, subject: 'user-1' });
  const handler = await chainOf(runtime, { auth: 'required' }, async ({ principal }) =>
    jsonResponse(200, { id: principal?.id }),
  );
  return { handler, token, runtime };
};

describe('header names in any case', () => {
  it.each([
    ['the valid token last', (token: string) => ['Bearer junk.junk.junk', `Bearer ${token}`]],
    ['the valid token first', (token: string) => [`Bearer ${token}`, 'Bearer junk.junk.junk']],
  ])('refuses two Authorization lines named in different cases, %s', async (_, lines) => {
    const { handler, token, runtime } = await protectedRoute();
    const [first = '', second = ''] = lines(token);
    const event = apiGatewayEvent({ headers: { Authorization: first, authorization: second } });
    event.multiValueHeaders = { Authorization: [first], authorization: [second] };
    const response = await handler(event, lambdaContext());
    expect(response.statusCode).toBe(401);
    expect(JSON.parse(response.body)).toMatchObject({ type: 'urn:bulwark:problem:invalid-credentials' });
    // Refused as two credentials, not as a bad token: whichever line comes first.
    expect(runtime.logs.text()).toContain('repeated_credential');
  });

  it('still answers one Authorization line, whatever the case of its name', async () => {
    const { handler, token } = await protectedRoute();
    for (const name of ['Authorization', 'authorization', 'AUTHORIZATION']) {
      const event = apiGatewayEvent({ headers: { [name]: `Bearer ${token}` } });
      event.multiValueHeaders = { [name]: [`Bearer ${token}`] };
      const response = await handler(event, lambdaContext());
      expect(response.statusCode, name).toBe(200);
    }
  });
});
