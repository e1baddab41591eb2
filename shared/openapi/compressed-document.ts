import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';
import type { OpenApiDocument } from './openapi-document.js';

/** A document as a function bundles it: minified JSON, brotli, base64 (a tenth of its size). */
export const compressDocument = (document: OpenApiDocument): string =>
  brotliCompressSync(Buffer.from(JSON.stringify(document)), {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11 },
  }).toString('base64');

export const decompressDocument = (base64: string): OpenApiDocument =>
  JSON.parse(brotliDecompressSync(Buffer.from(base64, 'base64')).toString('utf8')) as OpenApiDocument;

/** The module a generator writes beside the function that serves the document. */
export const compressedDocumentModule = (document: OpenApiDocument): string =>
  [
    '// Generated from the OpenAPI document (brotli, base64): do not edit; regenerate it.',
    `export const compressedOpenApiDocument =\n  '${compressDocument(document)}';`,
    '',
  ].join('\n');
