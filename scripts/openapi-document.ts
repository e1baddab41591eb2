/**
 * Bulwark's own OpenAPI document: the route table and the route module of every entry
 * (functions/<id>/route.ts), through the generator teams use too (`bulwark/openapi`).
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { RouteModule } from '../shared/chain/route-module.js';
import { type OpenApiDocument, openApiDocumentOf } from '../shared/openapi/openapi-document.js';
import { routes } from '../shared/routes/route-table.js';

export const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Where the generated document is checked in (and what GET /openapi.json serves). */
export const openApiDocumentFile = join(repositoryRoot, 'docs', 'openapi.json');

/** The route module of a route id: `route` exported by functions/<id>/route.ts. */
export const routeModuleFile = (routeId: string): string =>
  join(repositoryRoot, 'functions', routeId, 'route.ts');

const packageVersion = (): string =>
  (JSON.parse(readFileSync(join(repositoryRoot, 'package.json'), 'utf8')) as { version: string }).version;

export const bulwarkOpenApiDocument = async (): Promise<OpenApiDocument> => {
  const modules: RouteModule[] = [];
  for (const route of routes) {
    const module = (await import(pathToFileURL(routeModuleFile(route.id)).href)) as { route?: RouteModule };
    if (module.route === undefined) throw new TypeError(`${routeModuleFile(route.id)} exports no \`route\``);
    modules.push(module.route);
  }
  return openApiDocumentOf({
    info: {
      title: 'Bulwark API',
      version: packageVersion(),
      description: [
        "Bulwark's own routes: login, tokens, users, API keys, the public keys that verify access tokens, and the realtime routes (datasources, the datasource token mint, publish, and the internal endpoints of a self-hosted gateway; the WebSocket gateway itself is described in the README).",
        'Generated from the route table (shared/routes/route-table.ts) and each route module (functions/<id>/route.ts) by `npm run docs:fix`; never edited by hand.',
        'Every rejection is `application/problem+json` (RFC 9457) whose `type` is a stable URI `urn:bulwark:problem:<code>` from the problem catalogue (docs/problem-types.md): branch on `type`, never on `title`.',
        'Unknown paths answer 404 `not-found`, known paths with another method 405 `method-not-allowed` with `Allow`, and `OPTIONS` is the CORS preflight.',
      ].join(' '),
    },
    routes,
    modules,
  });
};

/** The text checked in: two-space JSON and a final newline, so diffs stay readable. */
export const documentText = (document: OpenApiDocument): string => `${JSON.stringify(document, null, 2)}\n`;

/** The copy GET /openapi.json serves: brotli, base64, in a module its function bundles (a few KiB). */
export const compressedDocumentFile = join(repositoryRoot, 'functions', 'openapi', 'compressed-document.ts');
