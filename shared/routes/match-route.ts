import type { HttpMethod, RouteDefinition, RouteTable } from './route-definition.js';

export type RouteMatch =
  | {
      readonly kind: 'route';
      readonly route: RouteDefinition;
      readonly pathParameters: Record<string, string>;
    }
  | { readonly kind: 'method-not-allowed'; readonly allowedMethods: readonly string[] }
  | { readonly kind: 'not-found' };

const segmentsOf = (path: string): string[] => path.split('/').filter((segment) => segment.length > 0);

const matchPath = (template: string, path: string): Record<string, string> | undefined => {
  const expected = segmentsOf(template);
  const actual = segmentsOf(path);
  if (expected.length !== actual.length) return undefined;
  const parameters: Record<string, string> = {};
  for (const [index, segment] of expected.entries()) {
    const value = actual[index] ?? '';
    const parameter = /^\{(\w+)\}$/.exec(segment);
    if (parameter?.[1] !== undefined) parameters[parameter[1]] = value;
    else if (segment !== value) return undefined;
  }
  return parameters;
};

/** Resolves a request against the route table the way API Gateway resources do. */
export const matchRoute = (method: string, path: string, table: RouteTable): RouteMatch => {
  const candidates = table.flatMap((route) => {
    const pathParameters = matchPath(route.path, path);
    return pathParameters === undefined ? [] : [{ route, pathParameters }];
  });
  if (candidates.length === 0) return { kind: 'not-found' };
  const exact = candidates.find((candidate) => candidate.route.method === method);
  if (exact !== undefined) return { kind: 'route', ...exact };
  return {
    kind: 'method-not-allowed',
    allowedMethods: allowedMethodsFor(candidates.map((c) => c.route.method)),
  };
};

/** OPTIONS is always allowed: the fallback answers it for CORS preflight. */
export const allowedMethodsFor = (methods: readonly HttpMethod[]): string[] => [
  ...new Set<string>([...methods, 'OPTIONS']),
];
