import type { PrintedTable } from '../charts/table-column.js';
import { columnCells, columnNumbers } from '../charts/table-column.js';
import type { AuthFigures } from '../summary/section-figures.js';

/** What the summary quotes of the auth part: the cost table's rows, as printed. */
export const authFigures = (costs: PrintedTable, run: string): AuthFigures => {
  const calls = columnNumbers(costs, 'calls/request');
  const dollars = columnNumbers(costs, '$ per million');
  return {
    section: 'auth',
    run,
    costs: columnCells(costs, 'request').map((kind, index) => ({
      kind,
      callsPerRequest: calls[index] ?? Number.NaN,
      dollarsPerMillion: dollars[index] ?? Number.NaN,
    })),
  };
};
