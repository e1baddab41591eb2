import { createRequire, isBuiltin } from 'node:module';
import { initSync, parse } from 'es-module-lexer';

/** es-module-lexer's `ImportType.Static` (a declared enum, absent at run time). */
const staticImport = 1;

/** `x`, `{ a, b as c }`, or both, then the specifier: the forms esbuild writes for an external module. */
const importClause =
  /^import\s*(?:(?<defaultName>[\w$]+)\s*,?\s*)?(?:\{(?<named>[\w$\s,]*)\})?\s*(?:from\s*)?["'][^"']+["']$/;

/** The built-ins of the Node that bundles, to check that each imported name is one of their exports. */
const builtinOf = createRequire(import.meta.url) as (specifier: string) => Record<string, unknown>;

export interface HoistedBundle {
  readonly code: string;
  /** The bundle's source map with its mappings moved down by the line the declarations take; absent: none given. */
  readonly sourceMap?: string;
  /** The specifiers of the imports rewritten, in the bundle's order. */
  readonly hoisted: readonly string[];
}

/**
 * The declarations for one import statement, or undefined to leave it to Node: a form other than default
 * and named bindings, or a name the built-in does not export here (Node's link error stays Node's).
 */
const declarationFor = (statement: string, specifier: string): string | undefined => {
  const clause = importClause.exec(statement)?.groups;
  if (clause === undefined) return undefined;
  const load = `process.getBuiltinModule(${JSON.stringify(specifier)})`;
  const bindings = (clause.named ?? '')
    .split(',')
    .map((binding) => binding.trim())
    .filter((binding) => binding !== '')
    .map((binding) => {
      const [imported = '', local = imported] = binding.split(/\s+as\s+/);
      return { imported, local };
    });
  const exported = builtinOf(specifier);
  if (bindings.some(({ imported }) => imported !== 'default' && !(imported in exported))) return undefined;
  // A default import, however written, is the module object: the facade's default export.
  const defaults = [
    ...(clause.defaultName === undefined ? [] : [clause.defaultName]),
    ...bindings.filter(({ imported }) => imported === 'default').map(({ local }) => local),
  ];
  const named = bindings
    .filter(({ imported }) => imported !== 'default')
    .map(({ imported, local }) => (imported === local ? imported : `${imported}:${local}`));
  const declarations = [
    ...defaults.map((local) => `const ${local}=${load};`),
    ...(named.length === 0 ? [] : [`const{${named.join(',')}}=${load};`]),
  ];
  return declarations.length === 0 ? `${load};` : declarations.join('');
};

/** After a hashbang, which must stay the file's first line; else at the top. */
const declarationLineOf = (code: string): number => (code.startsWith('#!') ? 1 : 0);

const withLineInserted = (code: string, line: number, text: string): string => {
  if (line === 0) return `${text}\n${code}`;
  const end = code.indexOf('\n');
  return end === -1 ? `${code}\n${text}` : `${code.slice(0, end + 1)}${text}\n${code.slice(end + 1)}`;
};

/** A source map's mappings with an empty line inserted at `line` (its groups are `;`-separated lines). */
const mappingsWithLineInserted = (mappings: string, line: number): string => {
  const lines = mappings.split(';');
  lines.splice(line, 0, '');
  return lines.join(';');
};

/**
 * Turns an ES module bundle's static imports of Node built-ins (`import{createHash as x}from"node:crypto"`)
 * into `process.getBuiltinModule` declarations on a new line at the top. Node builds an ES module facade
 * for each built-in imported that way and reads every export to fill it, which runs the module's lazy
 * getters (`process.stdin`, `fs.promises`, `timers.promises`, `net.BlockList`...): about 3 ms of a Lambda
 * cold start for the thirty such imports of a Bulwark function (docs/benchmarks.md). `getBuiltinModule`
 * returns the module itself and reads nothing it is not asked for.
 *
 * What an import meant is kept: the declarations run before any other code, as imports are bound before
 * it; a default import (`x`, `{default as x}`) is the module object, which is the facade's default export;
 * named bindings are read once, as the facade read them once. A name the built-in does not export, a
 * namespace import (`import * as`), import attributes, dynamic `import()` and any other form are left to
 * Node. Each rewritten statement becomes `;` and spaces of its length, so every other character keeps its
 * line and column (the source map stays exact once its mappings skip the new line) and no two lines join.
 * Idempotent: a bundle with nothing to hoist comes back unchanged.
 */
export const hoistBuiltinImports = (code: string, sourceMap?: string): HoistedBundle => {
  initSync();
  const [imports] = parse(code);
  const declarations: string[] = [];
  const hoisted: string[] = [];
  let rewritten = '';
  let copiedTo = 0;
  for (const found of imports) {
    if (found.t !== staticImport || found.n === undefined || !isBuiltin(found.n)) continue;
    const statement = code.slice(found.ss, found.se);
    const declaration = declarationFor(statement, found.n);
    if (declaration === undefined) continue;
    declarations.push(declaration);
    hoisted.push(found.n);
    rewritten += `${code.slice(copiedTo, found.ss)};${statement.slice(1).replace(/[^\n]/g, ' ')}`;
    copiedTo = found.se;
  }
  if (hoisted.length === 0) return sourceMap === undefined ? { code, hoisted } : { code, sourceMap, hoisted };
  const line = declarationLineOf(code);
  const result = withLineInserted(`${rewritten}${code.slice(copiedTo)}`, line, declarations.join(''));
  if (sourceMap === undefined) return { code: result, hoisted };
  const map = JSON.parse(sourceMap) as { mappings: string };
  return {
    code: result,
    sourceMap: JSON.stringify({ ...map, mappings: mappingsWithLineInserted(map.mappings, line) }),
    hoisted,
  };
};
