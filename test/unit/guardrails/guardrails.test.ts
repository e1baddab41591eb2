import { gzipSync } from 'node:zlib';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  eventBridgeGuardrailSink,
  GuardrailEventRejectedError,
  putGuardrailEvents,
} from '../../../shared/adapters/events/eventbridge-guardrail-sink.js';
import { guardrailEventsOf } from '../../../shared/adapters/events/guardrail-log-lines.js';
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

const eventBridge = mockClient(EventBridgeClient);

describe('eventBridgeGuardrailSink', () => {
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

describe('the guard-rail forwarder', () => {
  afterEach(() => eventBridge.reset());

  const delivery = (messages: readonly string[], messageType = 'DATA_MESSAGE') => ({
    awslogs: {
      data: gzipSync(
        JSON.stringify({
          messageType,
          logGroup: '/aws/lambda/create-api-key',
          logEvents: messages.map((message, id) => ({ id: String(id), timestamp: 0, message })),
        }),
      ).toString('base64'),
    },
  });
  const line = (event: unknown, message = 'guard-rail event') =>
    JSON.stringify({ level: 'WARN', message, event, request_id: 'r-1' });
  const event = {
    kind: 'api_key_unlimited',
    status: 'breach',
    subject: 'bwk_abcdefghijklmnopqrst',
    facts: { actor_kind: 'user', actor_id: 'u-1', change: 'created' },
    at: '2026-11-23T12:00:00.000Z',
  };

  it('forwards only well-formed guard-rail lines, re-checked field by field', () => {
    const { events, logGroup } = guardrailEventsOf(
      delivery([
        line(event),
        line(event, 'request rejected'),
        line({ ...event, kind: 'made_up' }),
        line({ ...event, facts: { nested: { secret: 'x' } } }),
        'not json',
        line({ ...event, subject: 'bwk_bbbbbbbbbbbbbbbbbbbb' }),
      ]),
    );
    expect(logGroup).toBe('/aws/lambda/create-api-key');
    expect(events.map((forwarded) => forwarded.subject)).toEqual([
      'bwk_abcdefghijklmnopqrst',
      'bwk_bbbbbbbbbbbbbbbbbbbb',
    ]);
    expect(guardrailEventsOf(delivery([line(event)], 'CONTROL_MESSAGE')).events).toEqual([]);
  });

  it('puts at most 10 entries per call and fails when any entry failed', async () => {
    const many = Array.from({ length: 12 }, (_, index) => ({
      ...event,
      subject: `s-${index}`,
    })) as HealthChangedEvent[];
    eventBridge
      .on(PutEventsCommand)
      .resolvesOnce({
        FailedEntryCount: 0,
        Entries: many.slice(0, 10).map((_, index) => ({ EventId: `e-${index}` })),
      })
      .resolvesOnce({
        FailedEntryCount: 1,
        Entries: [{ EventId: 'e-10' }, { ErrorCode: 'ThrottlingException' }],
      });
    const error = await rejectionOf(
      putGuardrailEvents(new EventBridgeClient({ region: 'eu-west-1' }), 'bus', many),
    );
    expect(error).toBeInstanceOf(GuardrailEventRejectedError);
    expect(
      eventBridge.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries?.length),
    ).toEqual([10, 2]);
  });
});
