import type { CredentialKind } from '../auth/principal.js';
import type { AuthStrategy } from '../config/runtime-config.js';
import type { RouteDefinition } from '../routes/route-definition.js';

/** The OpenAPI security scheme of each kind of credential. */
export const schemeNames = { access_token: 'accessToken', api_key: 'apiKey' } as const satisfies Record<
  CredentialKind,
  string
>;

/** The kinds of credential a strategy accepts on `required` routes (none: `disabled` admits everyone). */
export const credentialKindsOf = (strategy: AuthStrategy): readonly CredentialKind[] =>
  strategy === 'jwt'
    ? ['access_token']
    : strategy === 'api_key'
      ? ['api_key']
      : strategy === 'jwt_or_api_key'
        ? ['access_token', 'api_key']
        : [];

export type SecurityRequirement = Record<string, string[]>;

/**
 * A route's security requirement as its chain enforces it: none for a public route; otherwise one
 * alternative per kind the strategy accepts (exactly one credential per request), narrowed to what the
 * route accepts. A route that accepts no kind the strategy offers still names its own (it always answers
 * 401): the document shows what it would take, not an empty requirement that would read as public.
 */
export const securityOf = (
  route: Pick<RouteDefinition, 'auth'>,
  contract: { readonly accepts?: readonly CredentialKind[] },
  strategy: AuthStrategy,
): SecurityRequirement[] => {
  if (route.auth === 'public' || strategy === 'disabled') return [];
  const offered = credentialKindsOf(strategy);
  const accepted = contract.accepts ?? offered;
  const kinds = offered.filter((kind) => accepted.includes(kind));
  return (kinds.length > 0 ? kinds : accepted).map((kind) => ({ [schemeNames[kind]]: [] }));
};

const schemes = (apiKeyHeader: string) => ({
  access_token: {
    type: 'http' as const,
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      'An access token from POST /auth/login or POST /auth/token/refresh: `Authorization: Bearer <token>`',
  },
  api_key: {
    type: 'apiKey' as const,
    in: 'header' as const,
    name: apiKeyHeader,
    description: 'An API key `key_id:secret` from POST /admin/api-keys, in the header API_AUTH_HEADER names',
  },
});

/** The schemes the operations' requirements name, and only those. */
export const securitySchemesOf = (requirements: readonly SecurityRequirement[], apiKeyHeader: string) => {
  const named = new Set(requirements.flatMap((requirement) => Object.keys(requirement)));
  const all = schemes(apiKeyHeader);
  return Object.fromEntries(
    (Object.keys(schemeNames) as CredentialKind[])
      .filter((kind) => named.has(schemeNames[kind]))
      .map((kind) => [schemeNames[kind], all[kind]]),
  );
};
