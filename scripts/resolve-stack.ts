/**
 * `npx tsx scripts/resolve-stack.ts <index.mjs.map> [<file with the stack>]` (standard input without a
 * file): prints a logged stack trace with the bundle's positions replaced by source positions. The map is
 * in the function's code (Lambda console: Download, or the asset under cdk.out), beside index.mjs.
 */
import { readFileSync } from 'node:fs';
import type { SourceMapPayload } from 'node:module';
import { resolveStackTrace } from './stack/resolve-stack-trace.js';

const [mapFile, stackFile] = process.argv.slice(2);
if (mapFile === undefined) {
  console.error('usage: npx tsx scripts/resolve-stack.ts <index.mjs.map> [<file with the stack>]');
  process.exit(2);
}
const map = JSON.parse(readFileSync(mapFile, 'utf8')) as SourceMapPayload;
const stack = readFileSync(stackFile ?? 0, 'utf8');
process.stdout.write(resolveStackTrace(stack, map));
