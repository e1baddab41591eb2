/**
 * Publishing to a channel (ADR 0014): every subscriber gets the frame once; a connection API Gateway
 * reports gone (410) is forgotten on the way, so the next publish does not try it again; any other
 * failure is reported and the connection kept (it may be a passing error).
 */
import { describe, expect, it } from 'vitest';
import type { ConnectionGateway } from '../../../shared/domain/realtime/connection-gateway.js';
import { deliverToChannel } from '../../../shared/domain/realtime/realtime-connections.js';
import type { RealtimeStore } from '../../../shared/domain/realtime/realtime-store.js';

const channelStore = (subscribers: string[]) => {
  const live = new Set(subscribers);
  const store = {
    subscribers: async () => [...live],
    removeConnection: async (connectionId: string) => {
      live.delete(connectionId);
    },
  } as unknown as RealtimeStore;
  return { store, live };
};

const gatewayOf = (answers: Record<string, 'sent' | 'gone' | Error>) => {
  const sent: [string, string][] = [];
  const gateway: ConnectionGateway = {
    send: async (connectionId, data) => {
      const answer = answers[connectionId] ?? 'sent';
      if (answer instanceof Error) throw answer;
      if (answer === 'sent') sent.push([connectionId, data]);
      return answer;
    },
    close: async () => 'closed',
  };
  return { gateway, sent };
};

describe('deliverToChannel', () => {
  it('sends the frame to every subscriber once and forgets the gone ones', async () => {
    const { store, live } = channelStore(['a', 'b', 'c']);
    const { gateway, sent } = gatewayOf({ b: 'gone' });
    const delivery = await deliverToChannel({ store, gateway }, 'datasource:orders', '{"type":"event"}');
    expect(delivery).toEqual({ subscribers: 3, delivered: 2, gone: 1, failures: [] });
    expect(sent.map(([id]) => id).sort()).toEqual(['a', 'c']);
    expect(sent.every(([, data]) => data === '{"type":"event"}')).toBe(true);
    expect([...live].sort()).toEqual(['a', 'c']);

    // The next publish no longer tries the gone connection.
    const again = await deliverToChannel({ store, gateway }, 'datasource:orders', '{"type":"event"}');
    expect(again).toEqual({ subscribers: 2, delivered: 2, gone: 0, failures: [] });
  });

  it('reports a failed send without forgetting the connection, and still reaches the others', async () => {
    const { store, live } = channelStore(['a', 'b']);
    const failure = new Error('throttled');
    const { gateway, sent } = gatewayOf({ a: failure });
    const delivery = await deliverToChannel({ store, gateway }, 'datasource:orders', 'frame');
    expect(delivery).toMatchObject({ subscribers: 2, delivered: 1, gone: 0, failures: [failure] });
    expect(sent.map(([id]) => id)).toEqual(['b']);
    expect([...live].sort()).toEqual(['a', 'b']);
  });

  it('answers an empty channel with nothing sent', async () => {
    const { store } = channelStore([]);
    const { gateway, sent } = gatewayOf({});
    expect(await deliverToChannel({ store, gateway }, 'datasource:none', 'frame')).toEqual({
      subscribers: 0,
      delivered: 0,
      gone: 0,
      failures: [],
    });
    expect(sent).toEqual([]);
  });
});
