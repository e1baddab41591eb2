import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bulwarkFunctionEntry, bulwarkRoutes, fallbackRoute, realtimeGateway, realtimeRoutes } from 'bulwark';
import { bulwarkPackageRoot } from 'bulwark/local';

const appRoot = dirname(fileURLToPath(import.meta.url));
const bulwarkIds = new Set<string>(
  [...bulwarkRoutes, ...realtimeRoutes, ...realtimeGateway].map((fn) => fn.id),
);

/**
 * The handler module of each route id: Bulwark's own functions (its routes and the realtime gateway's)
 * from the Bulwark package, the app's from functions/ here, and the app's fallback (built from the whole
 * table) in place of Bulwark's.
 */
export const handlerModuleOf = (routeId: string): string =>
  bulwarkIds.has(routeId) && routeId !== fallbackRoute.id
    ? join(bulwarkPackageRoot, bulwarkFunctionEntry(routeId))
    : join(appRoot, 'functions', routeId, 'handler.ts');
