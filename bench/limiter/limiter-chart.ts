import { axisMax, barChart } from '../charts/bar-chart.js';
import { columnCells, columnNumbers, type PrintedTable } from '../charts/table-column.js';

/**
 * The limiter table's *calls/decision* as bars, one per limiter and workload in the table's order, so
 * Bulwark and rate-limiter-flexible sit next to each other within each workload.
 */
export const limiterChart = (table: PrintedTable): string => {
  const limiters = columnCells(table, 'limiter');
  const workloads = columnCells(table, 'workload');
  const values = columnNumbers(table, 'calls/decision');
  return barChart({
    title: 'DynamoDB calls per decision, per workload: Bulwark and rate-limiter-flexible (lower is cheaper)',
    categories: workloads.map((workload, index) => `${workload} · ${limiters[index] ?? ''}`),
    valueAxis: { label: 'calls per decision', min: 0, max: axisMax(values, 0.5) },
    values,
  });
};
