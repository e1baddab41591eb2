import type { PrintedTable } from '../charts/table-column.js';
import { columnCells, columnNumbers } from '../charts/table-column.js';
import type { ColdStartFigures } from '../summary/section-figures.js';
import type { ColdStartVerdicts } from './cold-start-targets.js';

/**
 * What the summary quotes of the cold-start part: how many functions meet both targets, and the fastest
 * and slowest init ratio as the targets table prints them (its first row is the baseline).
 */
export const coldStartFigures = (
  targets: PrintedTable,
  verdicts: Pick<ColdStartVerdicts, 'functions'>,
  run: string,
): ColdStartFigures => {
  const ids = columnCells(targets, 'function').slice(1);
  const ratios = columnNumbers(targets, 'init ratio').slice(1);
  const entries = ids.map((id, index) => ({ id, initRatio: ratios[index] ?? Number.NaN }));
  const first = entries[0];
  if (first === undefined) throw new Error('the cold-start table has no function');
  return {
    section: 'cold-start',
    run,
    functions: verdicts.functions.length,
    meetingTargets: verdicts.functions.filter((verdict) => verdict.meetsInit && verdict.meetsBundle).length,
    fastest: entries.reduce((best, entry) => (entry.initRatio < best.initRatio ? entry : best), first),
    slowest: entries.reduce((worst, entry) => (entry.initRatio > worst.initRatio ? entry : worst), first),
  };
};
