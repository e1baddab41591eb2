#!/usr/bin/env node
// `bulwark`, the operator CLI (cli/). Runs the TypeScript sources through tsx (a dependency), as every script
// of this repository does, so neither a clone nor an app that installed the package needs a build step:
// `npx bulwark --help`.
import { register } from 'tsx/esm/api';

if (Number(process.versions.node.split('.')[0]) < 22) {
  process.stderr.write(
    `bulwark needs Node.js 22 or later (this is ${process.version}); run it through npx or npm run.\n`,
  );
  process.exit(1);
}
process.on('SIGINT', () => process.exit(130));
register();
const { runCli } = await import('../cli/main.ts');
process.exitCode = await runCli(process.argv.slice(2), process.env);
