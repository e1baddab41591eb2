import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { LocalExchange } from '../../../shared/local/local-server.js';
import { contractChecker } from '../../support/openapi-contract.js';

const checker = contractChecker(JSON.parse(readFileSync('docs/openapi.json', 'utf8')));
const json = { 'content-type': 'application/json', 'x-request-id': 'req-1' };
const problem = (status: number, code: string, extra: Record<string, string> = {}): LocalExchange => ({
  method: 'GET',
  path: '/health',
  status,
  headers: { 'content-type': 'application/problem+json', 'x-request-id': 'req-1', ...extra },
  body: JSON.stringify({
    type: `urn:bulwark:problem:${code}`,
    title: 'Title',
    status,
    detail: 'Detail',
    request_id: 'req-1',
  }),
});

describe('the contract check of local-stack answers', () => {
  it('accepts an answer that matches its operation and status', () => {
    expect(
      checker.violations({
        method: 'GET',
        path: '/health',
        status: 200,
        headers: json,
        body: '{"status":"ok"}',
      }),
    ).toEqual([]);
    expect(checker.violations(problem(429, 'quota-exceeded', { 'retry-after': '3' }))).toEqual([]);
  });

  it('names a body that does not match, an extra field, a status not documented and a missing header', () => {
    const answer = (status: number, body: string, headers: Record<string, string> = json): LocalExchange => ({
      method: 'GET',
      path: '/health',
      status,
      headers,
      body,
    });
    expect(checker.violations(answer(200, '{"status":"fine"}'))).toEqual([
      'GET /health -> 200 (/health): body /status must be equal to constant',
    ]);
    expect(checker.violations(answer(200, '{"status":"ok","debug":true}'))[0]).toMatch(
      /additional properties/,
    );
    expect(checker.violations(answer(201, '{}'))).toEqual([
      'GET /health -> 201: status 201 is not documented for GET /health',
    ]);
    expect(
      checker.violations(answer(200, '{"status":"ok"}', { 'content-type': 'application/json' })),
    ).toEqual(['GET /health -> 200 (/health): required header x-request-id is missing']);
    expect(checker.violations(problem(429, 'quota-exceeded'))).toContain(
      'GET /health -> 429 (/health): required header Retry-After is missing',
    );
    expect(checker.violations(problem(429, 'login-throttled', { 'retry-after': '3' }))[0]).toMatch(
      /body \/type must be equal to one of the allowed values/,
    );
  });

  it('takes an answer to no operation as the fallback’s: a catalogue problem with its own status', () => {
    const unrouted = { ...problem(404, 'not-found'), path: '/nowhere' };
    expect(checker.violations(unrouted)).toEqual([]);
    expect(checker.violations({ ...problem(404, 'forbidden'), path: '/nowhere' })).toEqual([
      'GET /nowhere -> 404: type urn:bulwark:problem:forbidden with status 404',
    ]);
    expect(
      checker.violations({ method: 'OPTIONS', path: '/health', status: 204, headers: {}, body: '' }),
    ).toEqual([]);
  });
});
