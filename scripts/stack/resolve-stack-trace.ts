import { SourceMap, type SourceMapPayload } from 'node:module';

/** `<file>:<line>:<column>` of a stack frame in the bundle the map belongs to. */
const framePosition = (bundleName: string): RegExp =>
  new RegExp(`((?:file://)?[^\\s()]*${bundleName.replaceAll('.', '\\.')}):(\\d+):(\\d+)`, 'g');

/**
 * A stack trace of a minified bundle with its frames in `bundleName` (index.mjs on Lambda) rewritten to
 * the source positions the bundle's source map gives, with Node's own SourceMap: the deployed functions
 * run without `--enable-source-maps` (it parses the map at every cold start), so their logged stacks
 * name bundle positions, and the map beside the bundle in the function's code turns them back.
 * A frame the map does not cover is left as it was.
 */
export const resolveStackTrace = (stack: string, map: SourceMapPayload, bundleName = 'index.mjs'): string => {
  const sourceMap = new SourceMap(map);
  return stack.replace(framePosition(bundleName), (frame, _file: string, line: string, column: string) => {
    // Zero-based; the entry at or before the position, which must be on the frame's own line.
    const entry = sourceMap.findEntry(Number(line) - 1, Number(column) - 1);
    if (!('originalSource' in entry) || entry.generatedLine !== Number(line) - 1) return frame;
    return `${entry.originalSource}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  });
};
