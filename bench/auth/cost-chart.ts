import { axisMax, barChart } from '../charts/bar-chart.js';
import { columnCells, columnNumbers, type PrintedTable } from '../charts/table-column.js';
import { onDemandPrices } from './dynamodb-cost.js';

/** The cost table's *$ per million* as bars, one per request kind in the table's order. */
export const costChart = (costs: PrintedTable): string => {
  const values = columnNumbers(costs, '$ per million');
  return barChart({
    title: `DynamoDB on-demand dollars per million requests, by request kind (${onDemandPrices.region})`,
    categories: columnCells(costs, 'request'),
    valueAxis: { label: '$ per million requests', min: 0, max: axisMax(values, 1) },
    values,
  });
};
