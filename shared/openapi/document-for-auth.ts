import type { CredentialKind } from '../auth/principal.js';
import type { AuthStrategy } from '../config/runtime-config.js';
import type { OpenApiDocument } from './openapi-document.js';
import { problemExamplesOf } from './problem-examples.js';
import { type SecurityRequirement, schemeNames, securityOf, securitySchemesOf } from './security.js';

const methods = ['get', 'put', 'post', 'patch', 'delete'] as const;
const kindOfScheme = new Map<string, CredentialKind>(
  (Object.entries(schemeNames) as [CredentialKind, string][]).map(([kind, name]) => [name, kind]),
);

/**
 * The document as a stage enforces it: `document` is generated with the default API_AUTH_STRATEGY
 * (`jwt_or_api_key`, so each authenticated operation names every kind of credential it accepts) and
 * API_AUTH_HEADER; this rewrites each operation's security, the security schemes and the examples that
 * name the API key header for the stage's own settings. Pure and cheap: the function serving
 * /openapi.json runs it once at cold start, without the generator.
 */
export const documentForAuth = (
  document: OpenApiDocument,
  auth: { readonly strategy: AuthStrategy; readonly header: string },
): OpenApiDocument => {
  const copy = structuredClone(document);
  const requirements: SecurityRequirement[] = [];
  for (const item of Object.values(copy.paths ?? {})) {
    for (const method of methods) {
      const operation = item[method];
      if (operation === undefined) continue;
      const kinds = (operation.security ?? []).flatMap((requirement) =>
        Object.keys(requirement).map((name) => {
          const kind = kindOfScheme.get(name);
          if (kind === undefined) throw new TypeError(`unknown security scheme ${name}`);
          return kind;
        }),
      );
      operation.security = securityOf(
        { auth: kinds.length === 0 ? 'public' : 'required' },
        { accepts: kinds },
        auth.strategy,
      );
      requirements.push(...operation.security);
    }
  }
  const components = copy.components ?? {};
  const schemes = securitySchemesOf(requirements, auth.header);
  if (Object.keys(schemes).length > 0) components.securitySchemes = schemes;
  else delete components.securitySchemes;
  const examples = problemExamplesOf(auth.header);
  for (const code of Object.keys(components.examples ?? {}))
    if (code in examples && components.examples !== undefined)
      components.examples[code] = examples[code as keyof typeof examples];
  return copy;
};
