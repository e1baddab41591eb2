import { dynamoDbLoginThrottleStore } from '../adapters/dynamodb/dynamodb-login-throttle-store.js';
import { createLoginThrottle, type LoginThrottle } from '../domain/login-throttle/login-throttle.js';
import {
  defaultAccountAtClientIpPolicy,
  defaultAccountPolicy,
  defaultClientIpPolicy,
} from '../domain/login-throttle/login-throttle-policy.js';
import { tableDefinitions } from '../resources/table-definitions.js';
import { perRuntime } from './per-runtime.js';
import { requireSetting } from './require-setting.js';

/** Login failure streaks per account, address and account at an address (ADR 0009), in the rate-limit table. */
export const loginThrottleFor = perRuntime(
  (runtime): LoginThrottle =>
    createLoginThrottle({
      store:
        runtime.stores.loginThrottle ??
        dynamoDbLoginThrottleStore(
          runtime.dynamoDb(),
          requireSetting(tableDefinitions.rateLimits.environmentVariable, runtime.config.rateLimit.tableName),
        ),
      clock: runtime.clock,
      accountPolicy: defaultAccountPolicy,
      clientIpPolicy: defaultClientIpPolicy,
      accountAtClientIpPolicy: defaultAccountAtClientIpPolicy,
      newAttemptId: runtime.newId,
    }),
);
