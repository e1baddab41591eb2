import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  eventBridgeGuardrailSink,
  GuardrailEventRejectedError,
} from '../../../shared/adapters/events/eventbridge-guardrail-sink.js';
import { createGuardrails, type HealthChangedEvent } from '../../../shared/domain/guardrails/guardrails.js';
import { rejectionOf } from '../../support/rejection-of.js';
import { manualClock } from '../../support/test-runtime.js';

describe('createGuardrails', () => {
  it('publishes a breach once per kind and subject per window, and keeps the latest for /health/full', async () => {
    const published: HealthChangedEvent[] = [];
    const clock = manualClock();
    const guardrails = createGuardrails({
      sink: { publish: async (event) => void published.push(event) },
      clock,
      repeatAfterSeconds: 60,
    });
    await guardrails.raise('api_key_unlimited_used', 'bwk_a', { route: 'current-user' });
    await guardrails.raise('api_key_unlimited_used', 'bwk_a', { route: 'current-user' });
    await guardrails.raise('api_key_unlimited_used', 'bwk_b');
    clock.advanceMs(60_000);
    await guardrails.raise('api_key_unlimited_used', 'bwk_a');
    expect(published.map((event) => event.subject)).toEqual(['bwk_a', 'bwk_b', 'bwk_a']);
    expect(published[0]).toMatchObject({
      kind: 'api_key_unlimited_used',
      status: 'breach',
      facts: { route: 'current-user' },
      at: '2026-11-23T12:00:00.000Z',
    });
    expect(guardrails.recent().map((event) => event.subject)).toEqual(['bwk_a', 'bwk_b', 'bwk_a']);
  });

  it('never throws: a failed publish is reported and the request goes on', async () => {
    const failures: string[] = [];
    const guardrails = createGuardrails({
      sink: {
        publish: async () => {
          throw new Error('bus down');
        },
      },
      clock: manualClock(),
      onPublishFailed: (event) => failures.push(event.kind),
    });
    await expect(guardrails.raise('limiter_fail_open', 'login')).resolves.toBeUndefined();
    expect(failures).toEqual(['limiter_fail_open']);
  });
});

describe('eventBridgeGuardrailSink', () => {
  const eventBridge = mockClient(EventBridgeClient);
  afterEach(() => eventBridge.reset());
  const event: HealthChangedEvent = {
    kind: 'api_key_unlimited',
    status: 'breach',
    subject: 'bwk_abcdefghijklmnopqrst',
    facts: { actor_kind: 'user' },
    at: '2026-11-23T12:00:00.000Z',
  };

  it('sends one HealthChanged entry from bulwark.guardrails to the bus', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
    await eventBridgeGuardrailSink(new EventBridgeClient({ region: 'eu-west-1' }), 'bus-1').publish(event);
    const input = eventBridge.commandCalls(PutEventsCommand)[0]?.args[0].input;
    expect(input?.Entries).toEqual([
      {
        EventBusName: 'bus-1',
        Source: 'bulwark.guardrails',
        DetailType: 'HealthChanged',
        Detail: JSON.stringify(event),
        Time: new Date(event.at),
      },
    ]);
  });

  it('treats a partial failure (which PutEvents does not throw) as a failure', async () => {
    eventBridge
      .on(PutEventsCommand)
      .resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'x' }] });
    const error = await rejectionOf(
      eventBridgeGuardrailSink(new EventBridgeClient({ region: 'eu-west-1' }), 'bus-1').publish(event),
    );
    expect(error).toBeInstanceOf(GuardrailEventRejectedError);
  });
});
