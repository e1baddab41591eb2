/**
 * `npm run docs:fix`: regenerates what the documentation tests derive from the code, in place:
 * - docs/configuration.md: the variable table, from the runtime settings table (default, accepted values, who
 *   sets it) and the meanings in scripts/configuration-doc.ts (it stops and names a setting that has none);
 * - README "Routes": a row for every route of the table that has none (auth and description from its entry);
 * - docs/problem-types.md: a row for every problem code that has none (its status and title);
 * - the OpenAPI document (docs/openapi.json and the compressed copy functions/openapi/ serves), saying which
 *   changes would break clients: those need `API-Breaking-Change: <why>` in the commit that makes them;
 * - the example app's document (examples/orders-api/openapi.json), which includes Bulwark's routes.
 * Prints each change; hand-written text is never rewritten. `-- --bench` then runs `npm run bench`, which
 * rewrites the benchmark sections of docs/benchmarks.md (minutes).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { problemTypes, problemTypeUri } from '../shared/errors/problem-types.js';
import { compressedDocumentModule } from '../shared/openapi/compressed-document.js';
import type { RouteDefinition } from '../shared/routes/route-definition.js';
import { routes } from '../shared/routes/route-table.js';
import { configurationDoc, configurationDocFile } from './configuration-doc.js';
import { breakingChanges, breakingChangeTrailer } from './openapi-breaking-changes.js';
import {
  bulwarkOpenApiDocument,
  compressedDocumentFile,
  documentText,
  openApiDocumentFile,
  repositoryRoot,
} from './openapi-document.js';

const { values } = parseArgs({ options: { bench: { type: 'boolean', default: false } } });
const changes: string[] = [];

/** Inserts `rows` after the last line of the table that starts with `anchorPrefix`. */
const insertAfterLast = (
  text: string,
  isTableRow: (line: string) => boolean,
  rows: readonly string[],
): string => {
  if (rows.length === 0) return text;
  const lines = text.split('\n');
  const last = lines.findLastIndex(isTableRow);
  if (last === -1) throw new Error('docs:fix: table not found');
  lines.splice(last + 1, 0, ...rows);
  return lines.join('\n');
};

const configuration = configurationDoc();
if (configuration !== readFileSync(configurationDocFile, 'utf8')) {
  changes.push(`${configurationDocFile}: regenerated the variable table`);
  writeFileSync(configurationDocFile, configuration);
}

let readme = readFileSync('README.md', 'utf8');
const routeRow = (method: string, path: string) =>
  new RegExp(`^\\| \`${method}\`\\s*\\| \`${path.replaceAll('/', '\\/')}\`\\s*\\|`, 'm');
const missingRoutes = routes
  .filter((route) => !routeRow(route.method, route.path).test(readme))
  .map((route) => {
    changes.push(`README: added the route ${route.method} ${route.path}`);
    const roles = (route as RouteDefinition).roles;
    const auth = route.auth === 'public' ? 'public' : (roles ?? ['any principal']).join(' or ');
    return `| \`${route.method}\` | \`${route.path}\` | ${auth} | ${route.description} |`;
  });
readme = insertAfterLast(
  readme,
  (line) => /^\| `(GET|POST|PUT|PATCH|DELETE)`\s*\| `\//.test(line),
  missingRoutes,
);
writeFileSync('README.md', readme);

let problems = readFileSync('docs/problem-types.md', 'utf8');
const problemRow = /^\| `urn:bulwark:problem:[a-z0-9-]+`/;
const missingProblems = (
  Object.entries(problemTypes) as [keyof typeof problemTypes, { status: number; title: string }][]
)
  .filter(([code]) => !problems.includes(`| \`${problemTypeUri(code)}\``))
  .map(([code, type]) => {
    changes.push(`docs/problem-types.md: added ${code} (write when it is answered and what the client does)`);
    return `| \`${problemTypeUri(code)}\` | ${type.status} | TODO: ${type.title}: when it is answered. | TODO: what the client does, and whether it retries. |`;
  });
problems = insertAfterLast(problems, (line) => problemRow.test(line), missingProblems);
writeFileSync('docs/problem-types.md', problems);

console.log(changes.length === 0 ? 'docs:fix: the generated tables are complete' : changes.join('\n'));

const document = await bulwarkOpenApiDocument();
const previous = existsSync(openApiDocumentFile)
  ? (JSON.parse(readFileSync(openApiDocumentFile, 'utf8')) as unknown)
  : undefined;
const text = documentText(document);
const changed = previous === undefined || documentText(previous as typeof document) !== text;
writeFileSync(openApiDocumentFile, text);
writeFileSync(compressedDocumentFile, compressedDocumentModule(document));
const name = relative(repositoryRoot, openApiDocumentFile);
console.log(changed ? `${name}: regenerated` : `${name}: unchanged`);
const breaking = previous === undefined ? [] : breakingChanges(previous, document);
if (breaking.length > 0) {
  console.log(`\n${breaking.length} breaking change(s) against the previous ${name}:`);
  for (const change of breaking) console.log(`  ${change}`);
  console.log(
    `\nAcknowledge them in the commit that makes them: a line \`${breakingChangeTrailer} <why>\` in its message.`,
  );
}
// The example app's own document includes Bulwark's routes, so it follows them.
await import('../examples/orders-api/openapi.js');
if (values.bench) {
  const bench = spawnSync('npm', ['run', 'bench'], { stdio: 'inherit' });
  process.exit(bench.status ?? 1);
}
