import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { RouteModule } from 'bulwark';
import { type OpenApiDocument, openApiDocumentOf } from 'bulwark/openapi';
import { routeModuleOf } from './entries.js';
import { appRoutes } from './routes.js';

const appRoot = dirname(fileURLToPath(import.meta.url));

/** Checked in beside the app, and bundled compressed into functions/openapi/ (`npx tsx openapi.ts`). */
export const documentFile = join(appRoot, 'openapi.json');
export const compressedDocumentFile = join(appRoot, 'functions', 'openapi', 'compressed-document.ts');

/** The app's document: Bulwark's routes and its own, from the one table and every route module. */
export const ordersOpenApiDocument = async (): Promise<OpenApiDocument> => {
  const modules: RouteModule[] = [];
  for (const route of appRoutes)
    modules.push(
      ((await import(pathToFileURL(routeModuleOf(route.id)).href)) as { route: RouteModule }).route,
    );
  const { version } = JSON.parse(readFileSync(join(appRoot, '..', '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  return openApiDocumentOf({
    info: { title: 'Orders API (example)', version, description: 'Orders behind Bulwark.' },
    routes: appRoutes,
    modules,
  });
};
