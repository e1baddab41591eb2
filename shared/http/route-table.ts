import type { SecretId } from '../tables/secret-definitions.js';
import type { TableId } from '../tables/table-definitions.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type TableAccess = 'read' | 'write' | 'readWrite';

export interface RouteDefinition {
  /** Function folder under functions/ and the stable id of the Lambda function. */
  readonly id: string;
  readonly method: HttpMethod;
  /** API Gateway resource path; `{name}` segments are path parameters. */
  readonly path: string;
  /** `required` routes run the configured API_AUTH_STRATEGY; `public` routes skip it. */
  readonly auth: 'public' | 'required';
  /** What the function may touch; the CDK stack grants exactly this and sets the matching variables. */
  readonly tables: Readonly<Partial<Record<TableId, TableAccess>>>;
  readonly secrets: readonly SecretId[];
  readonly description: string;
}

/**
 * The one route table. The CDK stack turns every entry into a REST API method and a function; the
 * local server serves the same entries; the fallback function answers 404/405/OPTIONS from it.
 */
export const routes: readonly RouteDefinition[] = Object.freeze([
  {
    id: 'health',
    method: 'GET',
    path: '/health',
    auth: 'public',
    tables: {},
    secrets: [],
    description: 'Liveness probe',
  },
  {
    id: 'create-user',
    method: 'POST',
    path: '/api/v1/user',
    auth: 'required',
    tables: { users: 'write' },
    secrets: ['apiKey'],
    description: 'Create a user',
  },
]);

/**
 * Answers OPTIONS (CORS preflight), unknown paths (404) and known paths with another method (405).
 * Deployed behind `ANY` on every resource and on `/{proxy+}`; locally it gets every unmatched request.
 */
export const fallbackRoute = Object.freeze({
  id: 'route-fallback',
  description: 'CORS preflight, 404 and 405 answers',
});

export const functionEntry = (routeId: string): string => `functions/${routeId}/handler.ts`;

export const routeById = (id: string): RouteDefinition => {
  const route = routes.find((candidate) => candidate.id === id);
  if (route === undefined) throw new TypeError(`No route with id "${id}" in the route table`);
  return route;
};
