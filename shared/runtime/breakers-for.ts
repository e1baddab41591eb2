import {
  dynamoDbBreakerStateStore,
  dynamoDbLastGoodCache,
} from '../adapters/dynamodb/dynamodb-breaker-store.js';
import type { BreakerStateStore, LastGoodCache } from '../domain/breaker/breaker-state-store.js';
import { type BreakerStatus, type BreakerStatusUnknown, statusOf } from '../domain/breaker/breaker-status.js';
import {
  type CircuitBreaker,
  type CircuitBreakerOptions,
  createCircuitBreaker,
} from '../domain/breaker/circuit-breaker.js';
import { tableDefinitions } from '../resources/table-definitions.js';
import { perRuntime } from './per-runtime.js';
import { requireSetting } from './require-setting.js';
import type { Runtime } from './runtime.js';

/** The breakers a process has built, by dependency: what breakerStatuses() reports. */
const built = new WeakMap<Runtime, Map<string, CircuitBreaker>>();

/** The breakers table's two stores, on the request path's DynamoDB client (or the runtime's own). */
export const breakerStoresFor = perRuntime(
  (runtime): { readonly states: BreakerStateStore; readonly lastGood: LastGoodCache<unknown> } => {
    const tableName = (): string =>
      requireSetting(tableDefinitions.breakers.environmentVariable, runtime.config.breakerTableName);
    return {
      states: runtime.stores.breakerStates ?? dynamoDbBreakerStateStore(runtime.dynamoDb(), tableName()),
      lastGood: runtime.stores.lastGood ?? dynamoDbLastGoodCache(runtime.dynamoDb(), tableName()),
    };
  },
);

/**
 * The circuit breaker of one non-security dependency, once per process: cockatiel decides per instance,
 * the breakers table shares the state (docs/adr/0019). Transitions and rejections are counted as
 * `breaker_opened`, `breaker_half_open`, `breaker_closed` and `breaker_rejected` (dimension
 * `dependency`), each by the one instance that made it. Never use it for a security decision.
 */
export const breakerFor = (runtime: Runtime, options: CircuitBreakerOptions): CircuitBreaker => {
  const breakers = built.get(runtime) ?? new Map<string, CircuitBreaker>();
  built.set(runtime, breakers);
  const existing = breakers.get(options.dependency);
  if (existing !== undefined) return existing;
  const { dependency } = options;
  const breaker = createCircuitBreaker(options, {
    store: breakerStoresFor(runtime).states,
    clock: runtime.clock,
    instanceId: runtime.newId(),
    onEvent: (event) => {
      runtime.counters.count(`breaker_${event}`, { dependency });
      if (event !== 'rejected')
        runtime.logger.warn(`circuit breaker ${event.replace('_', '-')}`, { dependency });
    },
    onStoreError: (operation, error) =>
      runtime.logger.warn('circuit breaker state unavailable; deciding on this instance alone', {
        dependency,
        operation,
        error_name: error instanceof Error ? error.name : typeof error,
      }),
  });
  breakers.set(dependency, breaker);
  return breaker;
};

/**
 * Every breaker's position as the shared state has it, for `/health/full`: one consistent GetItem per
 * dependency, no secret, no configuration value. `dependencies` defaults to those this process built;
 * a health function that builds none names them (`['triage-model']`, with `breakerStatusGrant`). A state
 * that cannot be read is `unknown`, never an error: health reports it. Each entry matches
 * `breakerStatusBody` (breaker-status-body.ts), the schema a health route declares its answer with.
 */
export const breakerStatuses = async (
  runtime: Runtime,
  dependencies: readonly string[] = [...(built.get(runtime)?.keys() ?? [])],
): Promise<readonly (BreakerStatus | BreakerStatusUnknown)[]> => {
  const { states } = breakerStoresFor(runtime);
  return Promise.all(
    dependencies.map(async (dependency) => {
      try {
        return statusOf(dependency, await states.read(dependency), runtime.clock.nowMs());
      } catch {
        return { dependency, state: 'unknown' as const };
      }
    }),
  );
};
