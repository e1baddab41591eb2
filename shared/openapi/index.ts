/**
 * `bulwark/openapi`: the OpenAPI 3.1 document of a route table (Bulwark's routes and a team's own),
 * generated from the table and the contract every route module declares. Run it at build time and serve
 * the JSON; the generator (zod-openapi) is not meant for a function's bundle.
 */
export type {
  ResponseContract,
  RouteContract,
  RouteResponses,
  SuccessStatus,
} from '../chain/route-contract.js';
export { compressDocument, compressedDocumentModule, decompressDocument } from './compressed-document.js';
export { documentForAuth } from './document-for-auth.js';
export { type OpenApiDocument, type OpenApiOptions, openApiDocumentOf } from './openapi-document.js';
export { problemBody } from './problem-bodies.js';
