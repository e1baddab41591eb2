import { afterEach, describe, expect, it } from 'vitest';
import { type LocalExchange, startLocalServer } from '../../../shared/local/local-server.js';
import { routes } from '../../../shared/routes/route-table.js';

let stop: (() => void) | undefined;
afterEach(() => stop?.());

describe('the local server standing in for API Gateway', () => {
  it('answers a function that throws past its chain as API Gateway does: 502 bad-gateway with a request id', async () => {
    const exchanges: LocalExchange[] = [];
    const failing = async () => {
      throw new Error('boom');
    };
    const server = await startLocalServer({
      port: 0,
      handlers: new Map([['health', failing]]),
      routeTable: routes,
      onExchange: (exchange) => exchanges.push(exchange),
    });
    stop = () => server.close();
    const original = console.error;
    console.error = () => undefined;
    const response = await fetch(`${server.url}/health`).finally(() => {
      console.error = original;
    });
    expect(response.status).toBe(502);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      type: 'urn:bulwark:problem:bad-gateway',
      status: 502,
      title: 'Bad gateway',
    });
    expect(body.request_id).toBe(response.headers.get('x-request-id'));
    expect(typeof body.detail).toBe('string');
    expect(exchanges).toEqual([
      expect.objectContaining({ method: 'GET', path: '/health', status: 502, body: JSON.stringify(body) }),
    ]);
  });
});
