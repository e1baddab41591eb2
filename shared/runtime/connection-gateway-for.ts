import { managementApiConnectionGateway } from '../adapters/realtime/management-api-connection-gateway.js';
import { runtimeSettings } from '../config/runtime-settings.js';
import type { ConnectionGateway } from '../domain/realtime/connection-gateway.js';
import { perRuntime } from './per-runtime.js';
import { requireSetting } from './require-setting.js';

/**
 * The management API of the WebSocket stage (REALTIME_CALLBACK_URL): only functions granted
 * `execute-api:ManageConnections` on the stage have the variable. Same call budget as DynamoDB.
 */
export const connectionGatewayFor = perRuntime(
  (runtime): ConnectionGateway =>
    runtime.stores.connections ??
    managementApiConnectionGateway({
      endpoint: requireSetting(
        runtimeSettings.realtime.callbackUrl.variable,
        runtime.config.realtime.callbackUrl,
      ),
      region: runtime.config.awsRegion,
      attemptMs: runtime.config.rateLimit.timeoutMs,
    }),
);
