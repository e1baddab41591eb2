import { axisMax, barChart } from '../charts/bar-chart.js';
import { columnCells, columnNumbers, type PrintedTable } from '../charts/table-column.js';
import { coldStartTargets } from './cold-start-targets.js';

/**
 * The targets table's *init ratio* as bars, one per function with the hand-written baseline's 1.00 on
 * top: module init p50 as a multiple of the baseline's in the same run (shorter is faster).
 */
export const coldStartChart = (targets: PrintedTable): string => {
  const values = columnNumbers(targets, 'init ratio');
  return barChart({
    title:
      "Module init p50 as a multiple of the hand-written handler's (target: at most " +
      `${coldStartTargets.initRatio.toFixed(2)}, ${coldStartTargets.lightInitRatio.toFixed(2)} for ` +
      `${coldStartTargets.lightFunctions.join(', ')})`,
    categories: columnCells(targets, 'function'),
    valueAxis: { label: "init p50 / the handler's", min: 0, max: axisMax(values, 0.25) },
    values,
  });
};
