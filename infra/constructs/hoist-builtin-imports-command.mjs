#!/usr/bin/env node
// The bundling hook of every Bulwark function (esm-bundling.ts, commandHooks.afterBundling): rewrites the
// bundle esbuild wrote, and its source map beside it, with hoistBuiltinImports. Plain JavaScript that
// loads the TypeScript through tsx (a dependency), as bin/bulwark.mjs does, so it runs wherever the CDK
// app runs: `node hoist-builtin-imports-command.mjs <bundle.mjs>`.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { register } from 'tsx/esm/api';

const bundle = process.argv[2];
if (bundle === undefined || !existsSync(bundle)) {
  process.stderr.write(`usage: hoist-builtin-imports-command.mjs <bundle.mjs> (not found: ${bundle})\n`);
  process.exit(2);
}
register();
const { hoistBuiltinImports } = await import('./hoist-builtin-imports.ts');
const mapFile = `${bundle}.map`;
const result = hoistBuiltinImports(
  readFileSync(bundle, 'utf8'),
  existsSync(mapFile) ? readFileSync(mapFile, 'utf8') : undefined,
);
writeFileSync(bundle, result.code);
if (result.sourceMap !== undefined) writeFileSync(mapFile, result.sourceMap);
