import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gatewayFunctionIds } from '../../shared/routes/realtime-gateway.js';
import { firstAdminFunction } from '../../shared/routes/route-definition.js';
import { fallbackRoute, functionEntry, routes } from '../../shared/routes/route-table.js';

/** The app's CDK context (cdk.json), which the CDK tests synthesize with. */
export const cdkContext = (
  JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
    context: Record<string, unknown>;
  }
).context;

/**
 * A project root with a stub handler for every function Bulwark deploys (routes, fallback, first admin,
 * realtime gateway) and an empty lock file. Handlers are not bundled in the CDK tests (bundling is
 * skipped), but NodejsFunction still checks that each entry exists; the stubs keep those tests independent
 * of the handlers. `npm run synth` bundles the real ones. Returns the root and its removal.
 */
export const stubFunctionEntries = (
  prefix: string,
): { readonly root: string; readonly remove: () => void } => {
  const root = mkdtempSync(join(tmpdir(), prefix));
  writeFileSync(join(root, 'package-lock.json'), '{}');
  for (const id of [
    ...routes.map((route) => route.id),
    fallbackRoute.id,
    firstAdminFunction.id,
    ...gatewayFunctionIds(),
  ]) {
    const entry = join(root, functionEntry(id));
    mkdirSync(dirname(entry), { recursive: true });
    writeFileSync(entry, 'export const handler = async () => ({ statusCode: 204 });\n');
  }
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) };
};
