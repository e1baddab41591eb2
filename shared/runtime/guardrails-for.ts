import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { withCallDeadline } from '../adapters/aws/with-call-deadline.js';
import { eventBridgeGuardrailSink } from '../adapters/events/eventbridge-guardrail-sink.js';
import { logGuardrailSink } from '../adapters/events/log-guardrail-sink.js';
import { createGuardrails, type Guardrails } from '../domain/guardrails/guardrails.js';
import { perRuntime } from './per-runtime.js';
import type { Runtime } from './runtime.js';

/**
 * Guard-rail events of this process: to the stage's EventBridge bus when GUARDRAIL_EVENT_BUS_NAME is set
 * (one attempt, aborted after GUARDRAIL_EVENT_TIMEOUT_MS, so a request waits at most that long and never
 * fails because of it), to the log otherwise. A lost event counts `guardrail_event_failed`.
 */
export const guardrailsFor = perRuntime((runtime: Runtime): Guardrails => {
  const { config, logger, counters } = runtime;
  const { guardrailEventBusName: busName, guardrailEventTimeoutMs: timeoutMs } = config.operations;
  const sink =
    runtime.stores.guardrailEvents ??
    (busName === undefined
      ? logGuardrailSink(logger)
      : eventBridgeGuardrailSink(
          withCallDeadline(
            new EventBridgeClient({
              region: config.awsRegion,
              maxAttempts: 1,
              requestHandler: {
                requestTimeout: timeoutMs,
                connectionTimeout: timeoutMs,
                throwOnRequestTimeout: true,
              },
            }),
            timeoutMs,
          ),
          busName,
        ));
  return createGuardrails({
    sink,
    clock: runtime.clock,
    onPublishFailed: (event, error) => {
      counters.count('guardrail_event_failed', { kind: event.kind });
      logger.error('guard-rail event not published', { kind: event.kind, subject: event.subject, error });
    },
  });
});
