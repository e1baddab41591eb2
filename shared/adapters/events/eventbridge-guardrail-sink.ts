import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { GuardrailEventSink, HealthChangedEvent } from '../../domain/guardrails/guardrails.js';

export const GUARDRAIL_EVENT_SOURCE = 'bulwark.guardrails';
export const GUARDRAIL_EVENT_DETAIL_TYPE = 'HealthChanged';

/** A PutEvents answer that did not take an event: PutEvents reports this per entry, it does not throw. */
export class GuardrailEventRejectedError extends Error {
  readonly code = 'ERR_GUARDRAIL_EVENT_REJECTED';

  constructor(errorCode: string | undefined) {
    super(`EventBridge did not take a guard-rail event (${errorCode ?? 'no error code'})`);
    this.name = 'GuardrailEventRejectedError';
  }
}

/** PutEvents takes at most 10 entries per call. */
const entriesPerCall = 10;

/**
 * `HealthChanged` entries on the stage's bus, 10 per PutEvents call. PutEvents reports failures per entry
 * instead of throwing, so every answer is checked: a failed entry throws once every call has run.
 */
export const putGuardrailEvents = async (
  client: EventBridgeClient,
  busName: string,
  events: readonly HealthChangedEvent[],
): Promise<void> => {
  const failures: (string | undefined)[] = [];
  for (let index = 0; index < events.length; index += entriesPerCall) {
    const batch = events.slice(index, index + entriesPerCall);
    const output = await client.send(
      new PutEventsCommand({
        Entries: batch.map((event) => ({
          EventBusName: busName,
          Source: GUARDRAIL_EVENT_SOURCE,
          DetailType: GUARDRAIL_EVENT_DETAIL_TYPE,
          Detail: JSON.stringify(event),
          Time: new Date(event.at),
        })),
      }),
    );
    const before = failures.length;
    batch.forEach((_, position) => {
      const entry = output.Entries?.[position];
      if (entry?.ErrorCode !== undefined || entry?.EventId === undefined) failures.push(entry?.ErrorCode);
    });
    if ((output.FailedEntryCount ?? 0) > 0 && failures.length === before) failures.push(undefined);
  }
  if (failures.length > 0) throw new GuardrailEventRejectedError(failures[0]);
};

/** One event at a time on the bus (the sink port); the forwarder batches with putGuardrailEvents. */
export const eventBridgeGuardrailSink = (client: EventBridgeClient, busName: string): GuardrailEventSink => ({
  publish: (event: HealthChangedEvent) => putGuardrailEvents(client, busName, [event]),
});
