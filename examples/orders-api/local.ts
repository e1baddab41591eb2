/**
 * The orders API on this machine, Bulwark's routes included: `npx tsx examples/orders-api/local.ts`.
 * Same knobs as `npm start` (PORT, BULWARK_LOCAL_DIR, ...); Ctrl-C stops everything.
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { realtimeGateway } from 'bulwark';
import { serveLocally } from 'bulwark/local';
import { handlerModuleOf } from './entries.js';
import { appRoutes } from './routes.js';

serveLocally({
  name: 'Orders API (example) local stack',
  projectRoot: dirname(fileURLToPath(import.meta.url)),
  routes: appRoutes,
  gateway: realtimeGateway,
  handlerModule: handlerModuleOf,
  environment: process.env,
  setEnvironment: (variables) => Object.assign(process.env, variables),
  print: (line) => process.stdout.write(`${line}\n`),
}).catch((error: unknown) => {
  console.error(
    `orders-api: local stack failed to start: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
});
