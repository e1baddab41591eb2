/**
 * matchRoute resolves a method and path against a route table the way API Gateway resources do, and
 * tells the fallback whether to answer 404, 405 (with Allow) or let a route through.
 */
import { describe, expect, it } from 'vitest';
import { allowedMethodsFor, matchRoute } from '../../../shared/routes/match-route.js';
import type { RouteDefinition } from '../../../shared/routes/route-definition.js';
import { routes } from '../../../shared/routes/route-table.js';

const route = (id: string, method: RouteDefinition['method'], path: string): RouteDefinition =>
  ({ ...routes[0], id, method, path }) as RouteDefinition;

const table: readonly RouteDefinition[] = [
  route('list-users', 'GET', '/users'),
  route('create-user', 'POST', '/users'),
  route('get-user', 'GET', '/users/{userId}'),
  route('delete-user', 'DELETE', '/users/{userId}'),
  route('me', 'GET', '/users/me/profile'),
  route('user-key', 'PUT', '/users/{userId}/keys/{keyId}'),
];

describe('matchRoute', () => {
  it('matches a static path and method', () => {
    const match = matchRoute('POST', '/users', table);
    expect(match).toEqual({ kind: 'route', route: table[1], pathParameters: {} });
  });

  it('extracts path parameters by name', () => {
    expect(matchRoute('PUT', '/users/u-42/keys/k-7', table)).toMatchObject({
      kind: 'route',
      route: { id: 'user-key' },
      pathParameters: { userId: 'u-42', keyId: 'k-7' },
    });
  });

  it('prefers the route whose method matches among several templates for the path', () => {
    expect(matchRoute('DELETE', '/users/u-1', table)).toMatchObject({
      kind: 'route',
      route: { id: 'delete-user' },
    });
  });

  it('answers 405 with the methods of every matching template, plus OPTIONS, without duplicates', () => {
    expect(matchRoute('PATCH', '/users/u-1', table)).toEqual({
      kind: 'method-not-allowed',
      allowedMethods: ['GET', 'DELETE', 'OPTIONS'],
    });
    expect(matchRoute('DELETE', '/users', table)).toEqual({
      kind: 'method-not-allowed',
      allowedMethods: ['GET', 'POST', 'OPTIONS'],
    });
  });

  it('answers OPTIONS on a known path as method-not-allowed so the fallback can answer the preflight', () => {
    expect(matchRoute('OPTIONS', '/users/me/profile', table)).toEqual({
      kind: 'method-not-allowed',
      allowedMethods: ['GET', 'OPTIONS'],
    });
  });

  it.each([
    ['an unknown path', '/nope'],
    ['an extra segment', '/users/u-1/extra'],
    ['a missing parameter', '/users/u-1/keys'],
    ['another case', '/USERS'],
    ['a traversal that would normalise to a route', '/users/../users/u-1/keys/k'],
    ['the root', '/'],
    ['an empty path', ''],
  ])('answers %s with not-found', (_, path) => {
    expect(matchRoute('GET', path, table)).toEqual({ kind: 'not-found' });
  });

  it('treats repeated and trailing slashes as one separator', () => {
    expect(matchRoute('GET', '/users/', table)).toMatchObject({ kind: 'route', route: { id: 'list-users' } });
    expect(matchRoute('GET', '//users//u-1', table)).toMatchObject({
      kind: 'route',
      pathParameters: { userId: 'u-1' },
    });
  });

  it('matches methods case-sensitively', () => {
    expect(matchRoute('get', '/users', table)).toMatchObject({ kind: 'method-not-allowed' });
  });

  it('resolves the real route table', () => {
    expect(matchRoute('GET', '/health', routes)).toMatchObject({ kind: 'route', route: { id: 'health' } });
    expect(matchRoute('POST', '/api/v1/user', routes)).toMatchObject({
      kind: 'route',
      route: { id: 'create-user' },
    });
    expect(matchRoute('GET', '/api/v1/user', routes)).toEqual({
      kind: 'method-not-allowed',
      allowedMethods: ['POST', 'OPTIONS'],
    });
    expect(matchRoute('GET', '/api/v1/users', routes)).toEqual({ kind: 'not-found' });
  });
});

describe('allowedMethodsFor', () => {
  it('keeps the order, removes duplicates and always ends with OPTIONS', () => {
    expect(allowedMethodsFor(['POST', 'GET', 'POST'])).toEqual(['POST', 'GET', 'OPTIONS']);
    expect(allowedMethodsFor([])).toEqual(['OPTIONS']);
  });
});
