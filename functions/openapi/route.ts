import { brotliDecompressSync } from 'node:zlib';
import * as z from 'zod';
import { publicRoute } from '../../shared/chain/public-route.js';
import { documentForAuth } from '../../shared/openapi/document-for-auth.js';
import type { OpenApiDocument } from '../../shared/openapi/openapi-document.js';
import { routes } from '../../shared/routes/route-table.js';
import { compressedOpenApiDocument } from './compressed-document.js';

const openApiDocument = z
  .looseObject({
    openapi: z.literal('3.1.0'),
    info: z.looseObject({ title: z.string(), version: z.string() }),
    paths: z.record(z.string(), z.unknown()),
  })
  .meta({
    id: 'OpenApiDocument',
    description: 'This document (docs/openapi.json), as this stage enforces it',
  });

const responses = {
  200: { description: 'The OpenAPI 3.1 document of this API', body: openApiDocument },
} as const;

/** The checked-in document, as the stage's API_AUTH_STRATEGY and API_AUTH_HEADER make it; built at cold start. */
export const servedOpenApiDocument = (auth: Parameters<typeof documentForAuth>[1]): OpenApiDocument =>
  documentForAuth(
    JSON.parse(
      brotliDecompressSync(Buffer.from(compressedOpenApiDocument, 'base64')).toString('utf8'),
    ) as OpenApiDocument,
    auth,
  );

/**
 * docs/openapi.json, generated at build time (`npm run docs:fix`) and bundled compressed; the generator
 * itself never ships. Public and rate limited like any public route.
 */
export const route = publicRoute(routes, 'openapi', { responses }, (runtime) => {
  const body = JSON.stringify(servedOpenApiDocument(runtime.config.auth));
  return async () => ({ statusCode: 200, headers: { 'Content-Type': 'application/json' }, body });
});
