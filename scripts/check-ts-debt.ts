/**
 * `npm run check:ts:debt`: fails when TypeScript debt grows beyond the recorded baseline
 * (.ts-debt-baseline.json): explicit `any`, `@ts-expect-error`, `@ts-expect-error` without a reason after it,
 * and non-null assertions (`value!`). Counted with the TypeScript parser over every .ts file the
 * project owns. `-- --update` records the current counts, but only ever lowers the baseline.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import ts from 'typescript';

const baselineFile = '.ts-debt-baseline.json';
const roots = ['shared', 'functions', 'infra', 'cli', 'scripts', 'bench', 'examples', 'test'];
const { values } = parseArgs({ options: { update: { type: 'boolean', default: false } } });

type Kind = 'any' | 'ts-ignore' | 'ts-expect-error-without-reason' | 'non-null-assertion';
const counts: Record<Kind, number> = {
  any: 0,
  'ts-ignore': 0,
  'ts-expect-error-without-reason': 0,
  'non-null-assertion': 0,
};
const where: Record<Kind, string[]> = {
  any: [],
  'ts-ignore': [],
  'ts-expect-error-without-reason': [],
  'non-null-assertion': [],
};

const config = ts.getParsedCommandLineOfConfigFile(
  'tsconfig.json',
  {},
  { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined },
);
const files = (config?.fileNames ?? []).filter(
  (file) =>
    file.endsWith('.ts') &&
    roots.some((root) => file.includes(`/${root}/`)) &&
    !file.includes('node_modules'),
);

for (const file of files) {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const at = (node: ts.Node | number): string => {
    const position = typeof node === 'number' ? node : node.getStart(source);
    return `${file.slice(file.indexOf('/', process.cwd().length) + 1)}:${source.getLineAndCharacterOfPosition(position).line + 1}`;
  };
  const visit = (node: ts.Node): void => {
    if (node.kind === ts.SyntaxKind.AnyKeyword) {
      counts.any += 1;
      where.any.push(at(node));
    }
    if (ts.isNonNullExpression(node)) {
      counts['non-null-assertion'] += 1;
      where['non-null-assertion'].push(at(node));
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  for (const match of text.matchAll(/\/\/\s*@ts-(ignore|expect-error)([^\n]*)/g)) {
    if (match[1] === 'ignore') {
      counts['ts-ignore'] += 1;
      where['ts-ignore'].push(at(match.index ?? 0));
    } else if (!/[A-Za-z]{3}/.test((match[2] ?? '').replace(/^[\s:-]+/, ''))) {
      counts['ts-expect-error-without-reason'] += 1;
      where['ts-expect-error-without-reason'].push(at(match.index ?? 0));
    }
  }
}

const baseline = JSON.parse(readFileSync(baselineFile, 'utf8')) as Record<Kind, number>;
let failed = false;
for (const kind of Object.keys(counts) as Kind[]) {
  const limit = baseline[kind] ?? 0;
  const status = counts[kind] > limit ? 'FAIL' : 'ok';
  if (status === 'FAIL') failed = true;
  console.log(`${status.padEnd(4)} ${kind}: ${counts[kind]} (baseline ${limit})`);
  if (status === 'FAIL') for (const place of where[kind]) console.log(`       ${place}`);
}
if (values.update) {
  const lowered = Object.fromEntries(
    (Object.keys(counts) as Kind[]).map((kind) => [
      kind,
      Math.min(counts[kind], baseline[kind] ?? counts[kind]),
    ]),
  );
  writeFileSync(baselineFile, `${JSON.stringify(lowered, null, 2)}\n`);
  console.log(`baseline written to ${baselineFile} (never raised)`);
}
process.exit(failed ? 1 : 0);
