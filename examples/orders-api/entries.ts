import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  bulwarkFunctionEntry,
  bulwarkRoutes,
  fallbackRoute,
  firstAdminFunction,
  realtimeGateway,
  realtimeRoutes,
} from 'bulwark';
import { bulwarkPackageRoot } from 'bulwark/local';

const appRoot = dirname(fileURLToPath(import.meta.url));
const bulwarkIds = new Set<string>(
  [...bulwarkRoutes, ...realtimeRoutes, ...realtimeGateway, firstAdminFunction].map((fn) => fn.id),
);
/** Bulwark's functions that answer for a whole table: the app builds its own from its table. */
const perTable = new Set<string>([fallbackRoute.id, 'openapi']);
const fromBulwark = (routeId: string): boolean => bulwarkIds.has(routeId) && !perTable.has(routeId);

/**
 * The handler module of each route id: Bulwark's own functions (its routes and the realtime gateway's)
 * from the Bulwark package, the app's from functions/ here, and the app's fallback and OpenAPI document
 * (built from the whole table) in place of Bulwark's.
 */
export const handlerModuleOf = (routeId: string): string =>
  fromBulwark(routeId)
    ? join(bulwarkPackageRoot, bulwarkFunctionEntry(routeId))
    : join(appRoot, 'functions', routeId, 'handler.ts');

/** The route module (its code and contract) of each route id, for the OpenAPI generator. */
export const routeModuleOf = (routeId: string): string =>
  fromBulwark(routeId)
    ? join(bulwarkPackageRoot, dirname(bulwarkFunctionEntry(routeId)), 'route.ts')
    : join(appRoot, 'functions', routeId, 'route.ts');
