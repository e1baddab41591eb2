import * as z from 'zod/mini';
import { publicRoute } from '../chain/public-route.js';
import type { RouteModule } from '../chain/route-module.js';
import type { PublicRouteIdOf, RouteTable } from '../routes/route-definition.js';
import { decompressDocument } from './compressed-document.js';
import { documentForAuth } from './document-for-auth.js';

const openApiDocument = z
  .looseObject({
    openapi: z.literal('3.1.0'),
    info: z.looseObject({ title: z.string(), version: z.string() }),
    paths: z.record(z.string(), z.unknown()),
  })
  .register(z.globalRegistry, {
    id: 'OpenApiDocument',
    description: 'This document, as this stage enforces it',
  });

const responses = {
  200: { description: 'The OpenAPI 3.1 document of this API', body: openApiDocument },
} as const;

/**
 * The `openapi` entry of `table` (GET /openapi.json, public, rate limited): serves the document generated
 * at build time for this table, bundled compressed (`compressedDocumentModule`), as the stage's
 * API_AUTH_STRATEGY and API_AUTH_HEADER make it, built once at cold start. The generator never ships.
 */
export const openApiRoute = <const T extends RouteTable>(
  table: T,
  compressedDocument: string,
): RouteModule<'openapi'> =>
  publicRoute(table, 'openapi' as PublicRouteIdOf<T>, { responses }, (runtime) => {
    const body = JSON.stringify(documentForAuth(decompressDocument(compressedDocument), runtime.config.auth));
    return async () => ({ statusCode: 200, headers: { 'Content-Type': 'application/json' }, body });
  }) as RouteModule<'openapi'>;
