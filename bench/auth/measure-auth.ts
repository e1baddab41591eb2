import { parseRuntimeConfig } from '../../shared/config/runtime-config.js';
import { type AuthCallsResult, measureAuthCalls } from './measure-auth-calls.js';
import { type BcryptCostResult, measureBcrypt } from './measure-bcrypt.js';
import { measureRouteCalls, type RouteCallsResult } from './measure-route-calls.js';
import { measureTokens, type TokenResult } from './measure-tokens.js';

/** PASSWORD_BCRYPT_COST when unset, read from the real parser rather than restated here. */
export const defaultBcryptCost: number = parseRuntimeConfig({}).passwordBcryptCost;

/** The bench's settings, also quoted in the docs section. */
export const authSettings = {
  bcrypt: {
    costs: [...new Set([10, defaultBcryptCost, 12])].sort((left, right) => left - right),
    runs: 15,
  },
  tokens: { warmupOps: 1_000, rounds: 10, opsPerRound: 500 },
  calls: { warmupRequests: 30, rounds: 10, requestsPerRound: 30 },
  routeCalls: { requestsPerScenario: 10 },
} as const;

export interface AuthBenchResult {
  readonly bcrypt: readonly BcryptCostResult[];
  readonly tokens: TokenResult;
  readonly calls: AuthCallsResult;
  /** Login per outcome, refresh and a plain public route. */
  readonly routeCalls: readonly RouteCallsResult[];
  readonly elapsedS: number;
}

/**
 * Login cost, token cost and DynamoDB calls per authenticated request. Powertools metrics are turned
 * off for the duration (POWERTOOLS_METRICS_DISABLED, read when each Metrics is built): every limiter
 * outcome would otherwise print an EMF line to stdout, over the bench's own output.
 */
export const measureAuth = async (progress: (line: string) => void): Promise<AuthBenchResult> => {
  const started = performance.now();
  const previous = process.env.POWERTOOLS_METRICS_DISABLED;
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  try {
    const { bcrypt, tokens, calls } = authSettings;
    progress(
      `   bcryptjs compare, costs ${bcrypt.costs.join(', ')}: ${bcrypt.runs} runs each, interleaved...`,
    );
    const bcryptResults = await measureBcrypt(bcrypt);
    progress(
      `   access tokens: ${tokens.warmupOps} warm-up then ${tokens.rounds} x ${tokens.opsPerRound} ops per variant...`,
    );
    const tokenResult = await measureTokens(tokens);
    progress('   DynamoDB calls per authenticated request (DynamoDB Local behind a counting proxy)...');
    const callsResult = await measureAuthCalls(calls, progress);
    progress('   DynamoDB calls per login (each outcome), refresh and public request...');
    const routeCalls = await measureRouteCalls(authSettings.routeCalls.requestsPerScenario, progress);
    return {
      routeCalls,
      bcrypt: bcryptResults,
      tokens: tokenResult,
      calls: callsResult,
      elapsedS: (performance.now() - started) / 1000,
    };
  } finally {
    if (previous === undefined) delete process.env.POWERTOOLS_METRICS_DISABLED;
    else process.env.POWERTOOLS_METRICS_DISABLED = previous;
  }
};
