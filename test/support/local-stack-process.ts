import { inject } from 'vitest';
import { type LocalStack, spawnLocalStack, spawnLocalStacks } from './spawn-local-stack.js';

export {
  type LocalStack,
  type LocalStackAdmin,
  type LogEntry,
  logEntries,
  waitForLogs,
} from './spawn-local-stack.js';

/**
 * Starts `scripts/local-stack.ts` (what `npm start` runs) as a child process on a random port, against the
 * run's shared DynamoDB Local (from the global setup) with a table prefix of its own.
 * `env` adds or overrides runtime variables (CORS_ALLOW_ORIGINS, TRUSTED_HOSTS, ...).
 */
export const startLocalStack = (
  env: Record<string, string> = {},
  script?: string,
  /** The OpenAPI document (file) its answers must conform to; Bulwark's for `npm start`'s stack. */
  contract?: string,
): Promise<LocalStack> =>
  script === undefined
    ? spawnLocalStack(inject('dynamoDbEndpoint'), env)
    : spawnLocalStack(inject('dynamoDbEndpoint'), env, script, contract);

/** Starts several stacks at once; if any fails to start, stops the others and rethrows its error. */
export const startLocalStacks = (...environments: Record<string, string>[]): Promise<LocalStack[]> =>
  spawnLocalStacks(inject('dynamoDbEndpoint'), ...environments);
