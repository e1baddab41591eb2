/**
 * `npm start`: Bulwark's own routes on one machine (shared/local/run-local-stack.ts): DynamoDB Local,
 * development secrets in .local/, every route served by its real function module at http://localhost:3000,
 * and the realtime gateway's functions behind the WebSocket emulator at ws://localhost:3001/local.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveLocally } from '../shared/local/run-local-stack-from-environment.js';
import { realtimeGateway } from '../shared/routes/realtime-gateway.js';
import { functionEntry, routes } from '../shared/routes/route-table.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

serveLocally({
  name: 'Bulwark local stack',
  projectRoot: root,
  routes,
  gateway: realtimeGateway,
  handlerModule: (id) => join(root, functionEntry(id)),
  environment: process.env,
  setEnvironment: (variables) => Object.assign(process.env, variables),
  print: (line) => process.stdout.write(`${line}\n`),
}).catch((error: unknown) => {
  console.error(
    `bulwark: local stack failed to start: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
});
