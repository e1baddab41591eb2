import { openApiRoute } from 'bulwark';
import { appRoutes } from '../../routes.js';
import { compressedOpenApiDocument } from './compressed-document.js';

/** GET /openapi.json: the app's own document (Bulwark's routes and its own), generated at build time. */
export const route = openApiRoute(appRoutes, compressedOpenApiDocument);
