import { logGuardrailSink } from '../adapters/events/log-guardrail-sink.js';
import { createGuardrails, type Guardrails } from '../domain/guardrails/guardrails.js';
import { perRuntime } from './per-runtime.js';
import type { Runtime } from './runtime.js';

/**
 * Guard-rail events of this process, written to its log as one `guard-rail event` line each: nothing on
 * the request path waits for another service. Deployed, a subscription filter on every function's log
 * group hands those lines to the guard-rail forwarder (functions/guardrail-forwarder), which puts them on
 * the stage's EventBridge bus; locally the log is where they stay (and `GET /health/full` lists them).
 */
export const guardrailsFor = perRuntime(
  (runtime: Runtime): Guardrails =>
    createGuardrails({
      sink: runtime.stores.guardrailEvents ?? logGuardrailSink(runtime.logger),
      clock: runtime.clock,
      onPublishFailed: (event, error) => {
        runtime.counters.count('guardrail_event_failed', { kind: event.kind });
        runtime.logger.error('guard-rail event not published', {
          kind: event.kind,
          subject: event.subject,
          error,
        });
      },
    }),
);
