import { isBuiltin } from 'node:module';
import { initSync, parse } from 'es-module-lexer';

/** es-module-lexer's `ImportType.Static` (a declared enum, absent at run time). */
const staticImport = 1;

/** `x`, `{ a, b as c }`, or both, then the specifier: the forms esbuild writes for an external module. */
const importClause =
  /^import\s*(?:(?<defaultName>[\w$]+)\s*,?\s*)?(?:\{(?<named>[\w$\s,]*)\})?\s*(?:from\s*)?["'][^"']+["']$/;

export interface HoistedBundle {
  readonly code: string;
  /** The bundle's source map with its mappings moved down by the line the declarations take; absent: none given. */
  readonly sourceMap?: string;
  /** The specifiers of the imports rewritten, in the bundle's order. */
  readonly hoisted: readonly string[];
}

const declarationFor = (statement: string, specifier: string): string | undefined => {
  const clause = importClause.exec(statement)?.groups;
  if (clause === undefined) return undefined;
  const load = `process.getBuiltinModule(${JSON.stringify(specifier)})`;
  const bindings = (clause.named ?? '')
    .split(',')
    .map((binding) => binding.trim())
    .filter((binding) => binding !== '')
    .map((binding) => binding.replace(/\s+as\s+/, ':'));
  const declarations = [
    ...(clause.defaultName === undefined ? [] : [`const ${clause.defaultName}=${load};`]),
    ...(bindings.length === 0 ? [] : [`const{${bindings.join(',')}}=${load};`]),
  ];
  return declarations.length === 0 ? `${load};` : declarations.join('');
};

/**
 * Turns an ES module bundle's static imports of Node built-ins (`import{createHash as x}from"node:crypto"`)
 * into `process.getBuiltinModule` declarations on a new first line. Node builds an ES module facade for
 * each built-in imported that way and reads every export to fill it, which runs the module's lazy getters
 * (`process.stdin`, `fs.promises`, `timers.promises`, `net.BlockList`...): about 3 ms of a Lambda cold
 * start for the thirty such imports of a Bulwark function (docs/benchmarks.md). `getBuiltinModule`
 * returns the module itself and reads nothing it is not asked for.
 *
 * Semantics are kept: the declarations run before any other code, as imports are bound before it; a
 * default import is the module object (what the facade's default export is); named bindings are read
 * once, as the facade reads them once. Namespace imports (`import * as`), dynamic `import()` and anything
 * else are left as they are. Each rewritten statement is blanked with spaces of its length, so every
 * other character keeps its line and column and the source map stays exact once its mappings skip the
 * new first line. Idempotent: a bundle with nothing to hoist comes back unchanged.
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
    rewritten += code.slice(copiedTo, found.ss) + statement.replace(/[^\n]/g, ' ');
    copiedTo = found.se;
  }
  if (hoisted.length === 0) return sourceMap === undefined ? { code, hoisted } : { code, sourceMap, hoisted };
  rewritten = `${declarations.join('')}\n${rewritten}${code.slice(copiedTo)}`;
  if (sourceMap === undefined) return { code: rewritten, hoisted };
  const map = JSON.parse(sourceMap) as { mappings: string };
  return { code: rewritten, sourceMap: JSON.stringify({ ...map, mappings: `;${map.mappings}` }), hoisted };
};
