/**
 * The guard-rail forwarder: a CloudWatch Logs subscription on every function's log group hands it the
 * `guard-rail event` lines, and it puts each as a `HealthChanged` event (source `bulwark.guardrails`) on
 * the stage's bus. Not an HTTP route, and the only function that bundles the EventBridge client: the
 * request path only writes a log line. A failed entry fails the invocation, which Lambda retries and
 * then sends to the forwarder's dead-letter queue.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { putGuardrailEvents } from '../../shared/adapters/events/eventbridge-guardrail-sink.js';
import {
  type CloudWatchLogsEvent,
  guardrailEventsOf,
} from '../../shared/adapters/events/guardrail-log-lines.js';
import { readRuntimeConfig } from '../../shared/config/read-runtime-config.js';
import { createLogger } from '../../shared/logging/create-logger.js';
import { requireSetting } from '../../shared/runtime/require-setting.js';

const config = readRuntimeConfig();
const busName = requireSetting('GUARDRAIL_EVENT_BUS_NAME', config.operations.guardrailEventBusName);
const client = new EventBridgeClient({ region: config.awsRegion });
const logger = createLogger(config.logLevel);

export const handler = async (delivery: CloudWatchLogsEvent): Promise<{ forwarded: number }> => {
  const { logGroup, events } = guardrailEventsOf(delivery);
  if (events.length === 0) return { forwarded: 0 };
  await putGuardrailEvents(client, busName, events);
  logger.info('guard-rail events forwarded', {
    count: events.length,
    kinds: [...new Set(events.map((event) => event.kind))].join(','),
    log_group: logGroup,
  });
  return { forwarded: events.length };
};
