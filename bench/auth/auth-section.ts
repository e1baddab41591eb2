import { markdownTable } from '../markdown-table.js';
import { figuresComment } from '../summary/section-figures.js';
import { authFigures } from './auth-figures.js';
import {
  type AuthTarget,
  bcryptTable,
  callSurprises,
  callsPerRequest,
  callsTable,
  tokenTable,
} from './auth-tables.js';
import { costChart } from './cost-chart.js';
import { costRows, costTable, priceLine } from './cost-table.js';
import { type AuthBenchResult, authSettings, defaultBcryptCost } from './measure-auth.js';

export interface AuthRunContext {
  readonly date: string;
  readonly machineLine: string;
  readonly loadAtStart: string;
  readonly loadAtEnd: string;
}

/** ~1,769 MB of Lambda memory buys one full vCPU; below that the CPU share scales with memory. */
const lambdaMemoryMb = 1024;
const fullVcpuMb = 1769;

/** The markdown section for docs/benchmarks.md; figures quoted in the prose come from this run. */
export const authSection = (result: AuthBenchResult, target: AuthTarget, context: AuthRunContext): string => {
  const bcrypt = bcryptTable(result.bcrypt, defaultBcryptCost);
  const tokens = tokenTable(result.tokens);
  const calls = callsTable(result.calls.scenarios);
  const { settings: callSettings } = result.calls;
  const defaultRow = result.bcrypt.find((row) => row.cost === defaultBcryptCost);
  const lambdaFactor = fullVcpuMb / lambdaMemoryMb;
  const defaultNote =
    defaultRow === undefined
      ? ''
      : ` At the default cost ${defaultBcryptCost} a compare took ${defaultRow.p50Ms.toFixed(0)} ms (p50) here; ` +
        `scaled by CPU share alone that is about ${(defaultRow.p50Ms * lambdaFactor).toFixed(0)} ms on a ` +
        `${lambdaMemoryMb} MB function, before any difference between this CPU and Graviton.`;
  const variant = (id: string) => result.tokens.variants.find((entry) => entry.id === id);
  const wired = variant('verify-wired');
  const direct = variant('verify-direct');
  const keySetNote =
    wired === undefined || direct === undefined
      ? ''
      : ` In this run the wiring added ${(wired.stats.p50Us - direct.stats.p50Us).toFixed(1)} µs at p50 per ` +
        `verify() (${wired.stats.p50Us.toFixed(1)} versus ${direct.stats.p50Us.toFixed(1)} µs).`;
  const scenario = (id: string) => result.calls.scenarios.find((entry) => entry.id === id);
  const perRequest = (id: string) => {
    const found = scenario(id);
    return found === undefined ? '?' : callsPerRequest(found).toFixed(2);
  };
  const surprises = callSurprises(result.calls.scenarios);
  const routeWarnings = result.routeCalls.flatMap((entry) => {
    const wrong = [...entry.statuses].filter(([status]) => status !== entry.expectedStatus);
    return wrong.length === 0
      ? []
      : [
          `${entry.label}: expected ${entry.expectedStatus} on every request, got ` +
            wrong.map(([status, count]) => `${status} x${count}`).join(', '),
        ];
  });
  const warnings = [...surprises, ...result.calls.warnings, ...routeWarnings];
  const costs = costTable(costRows(result.calls.scenarios, result.routeCalls));
  const apiKey = scenario('api-key');
  const apiKeyMet = apiKey !== undefined && apiKey.maxCallsPerRequest <= 1;
  const apiKeyLine =
    'Target (issue 14, part 1) "1.00 DynamoDB calls per API-key request": ' +
    `${apiKeyMet ? 'MET' : 'NOT MET'} (${perRequest('api-key')} calls/request, at most ` +
    `${apiKey?.maxCallsPerRequest ?? '?'}: the limiter's one conditional UpdateItem on the key's record, which ` +
    'also proves the record this instance cached still current).';
  return [
    '## Authentication: login cost, token cost, DynamoDB calls per request',
    '',
    `Run ${context.date} on ${context.machineLine}; this part took ${result.elapsedS.toFixed(0)} s; 1-min load ` +
      `average ${context.loadAtStart} before it, ${context.loadAtEnd} after. **Every figure is this machine's**, ` +
      `not Lambda's: the stage runs arm64 functions at ${lambdaMemoryMb} MB (ADR 0003), which get about ` +
      `${lambdaMemoryMb}/${fullVcpuMb} ≈ ${(lambdaMemoryMb / fullVcpuMb).toFixed(2)} of a vCPU, so CPU-bound work ` +
      '(bcrypt above all) should be expected to take longer there. Measure on Lambda before quoting absolutes.',
    '',
    '### Login: bcryptjs compare',
    '',
    `\`bcrypt.compare\` (bcryptjs, pure JavaScript, as the login function calls it) of the right password against ` +
      `a hash at each cost, ${authSettings.bcrypt.runs} runs per cost after one warm-up, costs interleaved run by ` +
      `run. With ${authSettings.bcrypt.runs} runs p99 is the slowest run. An unknown user costs the same compare ` +
      `(against a dummy hash at the configured cost). Each cost step doubles the work.${defaultNote}`,
    '',
    markdownTable(bcrypt.header, bcrypt.rows, [1, 2, 3, 4, 5]),
    '',
    `This supports PASSWORD_BCRYPT_COST=${defaultBcryptCost} (ADR 0003 sizes the functions for it): cost 12 ` +
      'doubles every login, and cost 10 halves the work an offline guess costs an attacker holding a leaked hash.',
    '',
    '### Access tokens: issue() and verify() per operation',
    '',
    `Ed25519 (EdDSA) through jose, one real token (${result.tokens.tokenBytes} bytes) verified over and over, a ` +
      `fresh token per issue(). ${authSettings.tokens.warmupOps.toLocaleString('en')} warm-up ops per variant, ` +
      `then ${(authSettings.tokens.rounds * authSettings.tokens.opsPerRound).toLocaleString('en')} timed one by ` +
      `one with \`process.hrtime.bigint()\`, variants interleaved in ${authSettings.tokens.rounds} rounds. ` +
      '*As the runtime wires it*: the issuer and verifier a function gets, whose `keys()` reads the key set ' +
      'through the cached secret store on every call; the set is parsed, and its keys imported, once per ' +
      'cached secret value. *Key set passed in*: the same issuer and verifier ' +
      `with the imported key set handed over directly, the token work alone.${keySetNote}`,
    '',
    markdownTable(tokens.header, tokens.rows, [1, 2, 3, 4, 5, 6]),
    '',
    '### DynamoDB calls per authenticated request',
    '',
    "The real chain of the `current-user` route: `secureRoute(routes, 'current-user', {}, setup)` built on " +
      'the runtime, with a handler that answers from the principal alone, so the figures are the ' +
      "chain's (the deployed `current-user` handler also reads the user for a token principal: one more GetItem). " +
      'DynamoDB Local runs behind a small counting HTTP proxy and `DYNAMODB_ENDPOINT` points at the proxy, so ' +
      "every client is counted: the runtime's one request-path client, which the limiter shares (it also " +
      'carries an SDK middleware, to split the count). One count is one HTTP request to DynamoDB, ' +
      'retries included. Tables come from `createTables`; the secret store holds a fresh Ed25519 key set and a ' +
      `48-character pepper. Rate limit: fixed window, 999 requests per ${callSettings.windowSeconds} s; ` +
      `SECURITY_LIMITER_TIMEOUT_MS=${callSettings.limiterTimeoutMs} (raised from 300 so a DynamoDB Local pause ` +
      `cannot add a retry). ${authSettings.calls.warmupRequests} warm-up requests per scenario, then ` +
      `${authSettings.calls.rounds * authSettings.calls.requestsPerRound} measured, one at a time, scenarios ` +
      `interleaved in ${authSettings.calls.rounds} rounds; latency is \`await handler(event, context)\` and ` +
      'includes the proxy hop and DynamoDB Local, so it is only comparable within this table.',
    '',
    '- (a) `Authorization: Bearer` with a live session: the limiter write is a TransactWriteItems carrying ' +
      'the ConditionCheck that the session is not revoked.',
    "- (b) API key: the key's record is cached in the instance (the warm-up's first request read it), and " +
      'its limiter state is kept on that record, so one conditional UpdateItem of the record both spends the ' +
      'quota and proves the cached record current (same version, not revoked, not expired); a changed record ' +
      'fails it, and the key is read again and decided anew (ADR 0005, API-key requests). The window here is ' +
      '999 requests, below the 1,000 from which a busy key is leased; a request spent from a lease costs one ' +
      'consistent read of the record instead of the write (ADR 0005, hot keys).',
    "- (c) A token of a session revoked at logout: the limiter's transaction fails on the revocation check, " +
      '401; the instance then remembers the marker (revocation is permanent), so after the warm-up each ' +
      'request is refused with no call.',
    `- (d) A token over its limit (a second process configured at ${callSettings.overLimitRequests} requests per ` +
      'window, its warm-up having spent the quota): the limiter rejects from its in-process state after one ' +
      'consistent read of the revocation marker (a revoked token gets its 401, not a 429), 429.',
    '',
    markdownTable(calls.header, calls.rows, [2, 3, 5, 6, 7, 9, 10]),
    '',
    `${target.line} API key requests: ${perRequest('api-key')} calls/request; revoked: ` +
      `${perRequest('revoked')}; over the limit: ${perRequest('over-limit')}.`,
    '',
    `**${apiKeyLine}**`,
    '',
    '### DynamoDB calls and cost per request kind',
    '',
    'The access-token and API-key rows are (a) and (b) above. The others run the real `health`, `login` and ' +
      '`refresh-token` route modules (`route.build(runtime)`) on the same kind of runtime against a fresh ' +
      `DynamoDB Local behind the counting proxy, ${authSettings.routeCalls.requestsPerScenario} requests per ` +
      'row, one at a time, PASSWORD_BCRYPT_COST=10. Logins come from a fresh client address each (so the ' +
      "address's own budget never interferes): *success* with the right password, *wrong password* against " +
      'one existing account (its account streak grows, so later ones also set the back-off), *unknown user*; ' +
      '*throttled* repeats guesses from one address already in its back-off (429 before any password check). ' +
      '*refresh* rotates the refresh token a login returned, each time the successor. Every request also pays ' +
      "its route's rate-limit write.",
    '',
    markdownTable(costs.header, costs.rows, [1, 4, 5, 6]),
    '',
    costChart(costs),
    '',
    priceLine,
    ...(warnings.length === 0 ? [] : ['', ...warnings.map((warning) => `- Warning: ${warning}.`)]),
    '',
    figuresComment(authFigures(costs, context.date)),
  ].join('\n');
};
