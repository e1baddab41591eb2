import type { Table } from './auth-tables.js';
import { capacityUnitsOf, dollarsPerMillionRequests, onDemandPrices } from './dynamodb-cost.js';
import type { AuthScenarioResult } from './measure-auth-calls.js';
import type { RouteCallsResult } from './measure-route-calls.js';

interface Counted {
  readonly label: string;
  readonly requests: number;
  readonly calls: number;
  readonly minCallsPerRequest: number;
  readonly maxCallsPerRequest: number;
  readonly operations: ReadonlyMap<string, number>;
}

const fixed = (value: number, digits: number) => (Number.isFinite(value) ? value.toFixed(digits) : '-');

/** Operations per request, multi-item ones with their items (`TransactWriteItems 1.00 (2 items)`). */
export const operationsPerRequest = (entry: Counted): string => {
  const parts = [...entry.operations]
    .filter(([operation]) => !operation.includes(':'))
    .map(([operation, count]) => {
      const items = entry.operations.get(`${operation}:items`);
      return `${operation} ${fixed(count / entry.requests, 2)}${items === undefined ? '' : ` (${fixed(items / count, 1)} items)`}`;
    });
  return parts.length === 0 ? 'none' : parts.join(', ');
};

export interface CostRow {
  readonly kind: string;
  readonly entry: Counted;
}

/**
 * The README's cost figures: per route kind, DynamoDB calls per request and on-demand dollars per
 * million requests from the capacity units of the counted operations.
 */
export const costRows = (
  auth: readonly AuthScenarioResult[],
  routes: readonly RouteCallsResult[],
): readonly CostRow[] => {
  const authEntry = (id: string) => auth.find((entry) => entry.id === id);
  const routeEntry = (id: string) => routes.find((entry) => entry.id === id);
  const rows: { kind: string; entry: Counted | undefined }[] = [
    { kind: 'public route', entry: routeEntry('public') },
    { kind: 'access token', entry: authEntry('token') },
    { kind: 'API key', entry: authEntry('api-key') },
    { kind: 'login: success', entry: routeEntry('login-success') },
    { kind: 'login: wrong password', entry: routeEntry('login-wrong-password') },
    { kind: 'login: unknown user', entry: routeEntry('login-unknown-user') },
    { kind: 'login: throttled', entry: routeEntry('login-throttled') },
    { kind: 'refresh', entry: routeEntry('refresh') },
  ];
  return rows.flatMap((row) => (row.entry === undefined ? [] : [{ kind: row.kind, entry: row.entry }]));
};

export const costTable = (rows: readonly CostRow[]): Table => ({
  header: ['request', 'calls/request', 'min-max', 'operations per request', 'WRU', 'RRU', '$ per million'],
  rows: rows.map(({ kind, entry }) => {
    const units = capacityUnitsOf(entry.operations);
    return [
      kind,
      fixed(entry.calls / entry.requests, 2),
      `${entry.minCallsPerRequest}-${entry.maxCallsPerRequest}`,
      operationsPerRequest(entry),
      fixed(units.writeUnits / entry.requests, 2),
      fixed(units.readUnits / entry.requests, 2),
      `$${fixed(dollarsPerMillionRequests(units, entry.requests), 2)}`,
    ];
  }),
});

export const priceLine =
  `DynamoDB on-demand, ${onDemandPrices.region}, prices since ${onDemandPrices.since}: ` +
  `$${onDemandPrices.dollarsPerMillionWriteUnits} per million write request units (WRU), ` +
  `$${onDemandPrices.dollarsPerMillionReadUnits} per million read request units (RRU). Units: a write ` +
  '(a failed condition included) 1 WRU; a strongly consistent read 1 RRU per item; a transaction 2 units ' +
  'per item (TransactWriteItems: 2 WRU per item, its ConditionChecks included; TransactGetItems: 2 RRU per ' +
  'item); every Bulwark item is under 1 KB. DynamoDB only: API Gateway, Lambda, WAF and logs are in the ' +
  "README's cost section.";
