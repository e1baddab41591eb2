import { relative } from 'node:path';
import { type App, Stack, type StackProps } from 'aws-cdk-lib';
import { realtimeGateway } from 'bulwark';
import { BulwarkApi, bulwarkRouteModules, DataStack, type StageConfig, secretReadersOf } from 'bulwark/cdk';
import { handlerModuleOf } from '../entries.js';
import { route as createOrder } from '../functions/create-order/route.js';
import { appRoutes } from '../routes.js';

/**
 * The orders API on AWS: Bulwark's data stack (tables, secrets) and one stack where BulwarkApi builds every
 * route of the app table (Bulwark's and the app's) with its function, method, grants and canary, behind
 * the WAF, with Bulwark's alarms and dashboard, and Bulwark's realtime gateway.
 */
export const ordersApp = (
  app: App,
  config: StageConfig,
  options: { readonly projectRoot: string; readonly env?: StackProps['env'] },
) => {
  const stage = config.stageName;
  const data = new DataStack(app, `Orders-${stage}-Data`, {
    config,
    // Only the functions of this table (and the gateway's) may read the secrets; every other role is refused.
    secretReaders: secretReadersOf(appRoutes, realtimeGateway),
    // The app's root: its package-lock.json bundles Bulwark's rotation function from node_modules/bulwark.
    projectRoot: options.projectRoot,
    ...(options.env === undefined ? {} : { env: options.env }),
  });
  const stack = new Stack(app, `Orders-${stage}-Api`, {
    terminationProtection: config.terminationProtection,
    ...(options.env === undefined ? {} : { env: options.env }),
  });
  const api = new BulwarkApi(stack, 'Api', {
    config,
    tables: data.tables,
    secrets: data.secrets,
    routes: appRoutes,
    // Request models come from the route modules' body schemas: Bulwark's and the app's.
    modules: [...bulwarkRouteModules, createOrder],
    // The realtime gateway for the realtime routes in the table: one option.
    realtime: { gateway: realtimeGateway },
    projectRoot: options.projectRoot,
    // Rotation failures page through the app's alarm topic.
    signingKeyRotation: data.signingKeyRotation,
    entryOf: (routeId) => relative(options.projectRoot, handlerModuleOf(routeId)),
  });
  return { data, stack, api };
};
