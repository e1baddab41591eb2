/**
 * problemResponse: RFC 9457 bodies from Bulwark errors, a generic 500 for anything else, and no detail of
 * a 5xx other than 503 ever reaching the client. Loaded afresh for each test, so the generic error (a
 * module constant) is mutation-tested too.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { BulwarkError } from '../../../shared/errors/bulwark-error.js';
import { importFresh } from '../../support/import-fresh.js';

type ProblemModule = typeof import('../../../shared/http/problem-response.js');
let problemBody: ProblemModule['problemBody'];
let problemResponse: ProblemModule['problemResponse'];
beforeEach(async () => {
  ({ problemBody, problemResponse } = await importFresh<ProblemModule>(
    new URL('../../../shared/http/problem-response.js', import.meta.url),
  ));
});

const generic = 'The server could not complete the request. Quote the request id when reporting it.';
const bodyOf = (error: unknown) =>
  JSON.parse(problemResponse(error, 'req-1').body) as Record<string, unknown>;

describe('problemResponse', () => {
  it('describes a Bulwark error with its type, title, status, detail, headers and field errors', () => {
    const error = new BulwarkError('validation-failed', {
      detail: 'The request body does not match the schema of this route.',
      errors: [{ path: '/name', message: 'is required' }],
      headers: { 'X-Extra': '1' },
    });
    const response = problemResponse(error, 'req-1');
    expect(response.statusCode).toBe(422);
    expect(response.headers).toEqual({ 'X-Extra': '1', 'Content-Type': 'application/problem+json' });
    expect(JSON.parse(response.body)).toEqual({
      type: 'urn:bulwark:problem:validation-failed',
      title: 'Validation failed',
      status: 422,
      detail: 'The request body does not match the schema of this route.',
      request_id: 'req-1',
      errors: [{ path: '/name', message: 'is required' }],
    });
  });

  it('gives a problem without field errors no errors member at all (the realtime frames embed the object)', () => {
    const body = problemBody(new BulwarkError('forbidden', { detail: 'No.' }), 'req-1');
    expect(Object.keys(body)).not.toContain('errors');
    expect(Object.keys(problemBody(new Error('bug'), 'req-1'))).not.toContain('errors');
  });

  it('answers anything that is not a Bulwark error as a generic 500', () => {
    for (const error of [new Error('db password in /etc/x'), 'a string', undefined]) {
      const response = problemResponse(error, 'req-1');
      expect(response.statusCode).toBe(500);
      expect(JSON.parse(response.body)).toEqual({
        type: 'urn:bulwark:problem:internal-error',
        title: 'Internal server error',
        status: 500,
        detail: generic,
        request_id: 'req-1',
      });
    }
  });

  it('never shows the detail of a 5xx other than 503', () => {
    for (const code of ['internal-error', 'bad-gateway', 'gateway-timeout'] as const) {
      expect(bodyOf(new BulwarkError(code, { detail: 'table users-prod is throttled' })).detail).toBe(
        generic,
      );
    }
    expect(bodyOf(new BulwarkError('service-unavailable', { detail: 'retry later' })).detail).toBe(
      'retry later',
    );
  });
});
