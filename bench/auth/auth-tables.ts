import type { AuthScenarioResult } from './measure-auth-calls.js';
import type { BcryptCostResult } from './measure-bcrypt.js';
import type { TokenResult } from './measure-tokens.js';

export interface Table {
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

const fixed = (value: number, digits: number) => (Number.isFinite(value) ? value.toFixed(digits) : '-');

export const bcryptTable = (results: readonly BcryptCostResult[], defaultCost: number): Table => ({
  header: ['bcrypt cost', 'runs', 'p50 ms', 'p99 ms', 'min ms', 'max ms'],
  rows: results.map((result) => [
    result.cost === defaultCost ? `${result.cost} (default)` : String(result.cost),
    String(result.runs),
    fixed(result.p50Ms, 1),
    fixed(result.p99Ms, 1),
    fixed(result.minMs, 1),
    fixed(result.maxMs, 1),
  ]),
});

export const tokenTable = (result: TokenResult): Table => ({
  header: ['operation (EdDSA)', 'ops', 'p50 us', 'p90 us', 'p99 us', 'mean us', 'ops/s (1/mean)'],
  rows: result.variants.map((variant) => [
    variant.label,
    String(variant.stats.count),
    fixed(variant.stats.p50Us, 1),
    fixed(variant.stats.p90Us, 1),
    fixed(variant.stats.p99Us, 1),
    fixed(variant.stats.meanUs, 1),
    fixed(1e6 / variant.stats.meanUs, 0),
  ]),
});

export const callsPerRequest = (result: AuthScenarioResult): number => result.calls / result.requests;

const statusCell = (result: AuthScenarioResult): string =>
  [...result.statuses]
    .sort(([left], [right]) => left - right)
    .map(([status, count]) => (count === result.requests ? String(status) : `${status} x${count}`))
    .join(', ');

const operationsCell = (result: AuthScenarioResult): string =>
  result.operations.size === 0
    ? 'none'
    : [...result.operations]
        .filter(([operation]) => !operation.includes(':'))
        .map(([operation, count]) => `${operation} ${fixed(count / result.requests, 2)}`)
        .join(', ');

export const callsTable = (scenarios: readonly AuthScenarioResult[]): Table => ({
  header: [
    'request',
    'status',
    'requests',
    'calls/request',
    'min-max',
    'expected',
    'runtime client',
    'limiter client',
    'per request, by operation',
    'p50 ms',
    'p99 ms',
  ],
  rows: scenarios.map((result) => [
    result.label,
    statusCell(result),
    String(result.requests),
    fixed(callsPerRequest(result), 2),
    `${result.minCallsPerRequest}-${result.maxCallsPerRequest}`,
    String(result.expectedCalls),
    fixed(result.runtimeClientCalls / result.requests, 2),
    fixed((result.calls - result.runtimeClientCalls) / result.requests, 2),
    operationsCell(result),
    fixed(result.stats.p50Us / 1000, 2),
    fixed(result.stats.p99Us / 1000, 2),
  ]),
});

export interface AuthTarget {
  readonly met: boolean | undefined;
  readonly line: string;
}

/** Target: one DynamoDB call per request authenticated with an access token. */
export const authTarget = (scenarios: readonly AuthScenarioResult[]): AuthTarget => {
  const token = scenarios.find((result) => result.id === 'token');
  if (token === undefined)
    return { met: undefined, line: 'Target (1 call per token request): not measured.' };
  const perRequest = callsPerRequest(token);
  const met = token.maxCallsPerRequest <= 1 && perRequest <= 1;
  return {
    met,
    line:
      `Target, 1 DynamoDB call per Bearer-token request: ${met ? 'MET' : 'MISSED'} ` +
      `(${fixed(perRequest, 2)} calls/request over ${token.requests} requests, ` +
      `${token.minCallsPerRequest}-${token.maxCallsPerRequest} per request; ${operationsCell(token)}).`,
  };
};

/** The scenarios whose measured calls differ from what the design says they cost. */
export const callSurprises = (scenarios: readonly AuthScenarioResult[]): string[] =>
  scenarios
    .filter(
      (result) =>
        result.minCallsPerRequest !== result.expectedCalls ||
        result.maxCallsPerRequest !== result.expectedCalls,
    )
    .map(
      (result) =>
        `${result.label}: expected ${result.expectedCalls} call(s) per request, measured ` +
        `${result.minCallsPerRequest}-${result.maxCallsPerRequest} (${fixed(callsPerRequest(result), 2)} on average)`,
    );
