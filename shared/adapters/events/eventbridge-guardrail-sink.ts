import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { GuardrailEventSink, HealthChangedEvent } from '../../domain/guardrails/guardrails.js';

export const GUARDRAIL_EVENT_SOURCE = 'bulwark.guardrails';
export const GUARDRAIL_EVENT_DETAIL_TYPE = 'HealthChanged';

/** A PutEvents answer that did not take the event: PutEvents reports this per entry, it does not throw. */
export class GuardrailEventRejectedError extends Error {
  readonly code = 'ERR_GUARDRAIL_EVENT_REJECTED';

  constructor(errorCode: string | undefined) {
    super(`EventBridge did not take the guard-rail event (${errorCode ?? 'no error code'})`);
    this.name = 'GuardrailEventRejectedError';
  }
}

/** One `HealthChanged` entry per event on the stage's bus; a partial failure is a thrown error. */
export const eventBridgeGuardrailSink = (client: EventBridgeClient, busName: string): GuardrailEventSink => ({
  publish: async (event: HealthChangedEvent) => {
    const output = await client.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: busName,
            Source: GUARDRAIL_EVENT_SOURCE,
            DetailType: GUARDRAIL_EVENT_DETAIL_TYPE,
            Detail: JSON.stringify(event),
            Time: new Date(event.at),
          },
        ],
      }),
    );
    const entry = output.Entries?.[0];
    if (
      (output.FailedEntryCount ?? 0) > 0 ||
      entry?.ErrorCode !== undefined ||
      entry?.EventId === undefined
    ) {
      throw new GuardrailEventRejectedError(entry?.ErrorCode);
    }
  },
});
