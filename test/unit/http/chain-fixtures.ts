/**
 * Shared by the secure-handler unit and property tests: the route-fallback logic rebuilt on the test
 * runtime, and readers for what a response promises (problem body, security headers, request id).
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { expect } from 'vitest';
import { route as fallbackRoute } from '../../../functions/route-fallback/route.js';
import type { SecureHandler } from '../../../shared/chain/create-secure-handler.js';
import type { Runtime } from '../../../shared/runtime/runtime.js';
import { lambdaContext } from '../../support/test-runtime.js';

/** The real route-fallback module (functions/route-fallback/route.ts), built on a given runtime. */
export const fallbackHandler = (runtime: Runtime): Promise<SecureHandler> => fallbackRoute.build(runtime);

export const invoke = (handler: SecureHandler, event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> =>
  handler(event, lambdaContext());

/** Case-insensitive header lookup; fails the test when a header name appears in two spellings. */
export const headerOf = (response: APIGatewayProxyResult, name: string): string | undefined => {
  const matches = Object.entries(response.headers ?? {}).filter(
    ([key]) => key.toLowerCase() === name.toLowerCase(),
  );
  expect(matches.length, `header ${name} appears ${matches.length} times`).toBeLessThanOrEqual(1);
  const value = matches[0]?.[1];
  return value === undefined ? undefined : String(value);
};

export const headerNames = (response: APIGatewayProxyResult): string[] =>
  Object.keys(response.headers ?? {}).map((name) => name.toLowerCase());

export interface ProblemBody {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly request_id: string;
  readonly errors?: readonly { readonly path: string; readonly message: string }[];
}

export const problemOf = (response: APIGatewayProxyResult): ProblemBody => {
  expect(headerOf(response, 'content-type')).toBe('application/problem+json');
  return JSON.parse(response.body) as ProblemBody;
};

/** A problem+json answer with the given status and code, whose request id matches the header. */
export const expectProblem = (response: APIGatewayProxyResult, status: number, code: string): ProblemBody => {
  expect(response.statusCode).toBe(status);
  const problem = problemOf(response);
  expect(problem).toMatchObject({ type: `urn:bulwark:problem:${code}`, status });
  expect(problem.title.length).toBeGreaterThan(0);
  expect(problem.detail.length).toBeGreaterThan(0);
  expect(problem.request_id).toBe(headerOf(response, 'x-request-id'));
  return problem;
};

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export const expectGeneratedRequestId = (response: APIGatewayProxyResult): string => {
  const requestId = headerOf(response, 'x-request-id');
  expect(requestId).toMatch(uuid);
  return requestId ?? '';
};

/** The headers every response carries, success or error (docs/adr/0002). */
export const expectSecurityHeaders = (response: APIGatewayProxyResult): void => {
  const hsts = headerOf(response, 'strict-transport-security') ?? '';
  const maxAge = Number(/max-age=(\d+)/.exec(hsts)?.[1] ?? Number.NaN);
  expect(maxAge, `HSTS: ${hsts}`).toBeGreaterThanOrEqual(31_536_000);
  expect(hsts.split(';').map((part) => part.trim())).toContain('includeSubDomains');
  expect(headerOf(response, 'x-content-type-options')).toBe('nosniff');
  expect(headerOf(response, 'content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
  expect(headerOf(response, 'x-frame-options')).toBe('DENY');
  expect(headerOf(response, 'referrer-policy')).toBe('no-referrer');
  expect(headerOf(response, 'cache-control')).toBe('no-store');
  expect(headerOf(response, 'x-request-id')).toMatch(/^[A-Za-z0-9._-]{1,128}$/);
};

export const listOf = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
