/** normalizeHeaders on its own: lower-case names, case variants merged, nothing inherited, never a throw. */
import { describe, expect, it } from 'vitest';
import { normalizeHeaders } from '../../../shared/middlewares/normalize-headers.js';
import { secureRequestOf } from '../../support/secure-request-of.js';

const normalized = (headers: unknown, multiValueHeaders: unknown) => {
  const { request } = secureRequestOf({
    event: { headers: headers as never, multiValueHeaders: multiValueHeaders as never },
  });
  normalizeHeaders().before?.(request);
  return request.event;
};

describe('normalizeHeaders', () => {
  it('is named for the chain’s order and its diagrams (ADR 0002)', () => {
    expect(normalizeHeaders().name).toBe('normalizeHeaders');
  });

  it('lower-cases every name and keeps every value of lines whose names differ only in case, in order', () => {
    const event = normalized(
      { Authorization: 'Bearer a', authorization: 'Bearer b', 'X-Api-Key': 'k' },
      { Authorization: ['Bearer a'], AUTHORIZATION: ['Bearer c', 'Bearer d'], authorization: ['Bearer b'] },
    );
    expect({ ...event.multiValueHeaders }).toEqual({
      authorization: ['Bearer a', 'Bearer c', 'Bearer d', 'Bearer b'],
    });
    // One value per name: the last line's, as API Gateway keeps for repeated lines.
    expect({ ...event.headers }).toEqual({ authorization: 'Bearer b', 'x-api-key': 'k' });
  });

  it('skips values API Gateway left null or undefined, and leaves absent maps absent', () => {
    const event = normalized(
      { Host: 'api.example.com', Gone: undefined },
      { Host: ['api.example.com'], Gone: null, Missing: undefined },
    );
    expect(Object.entries(event.multiValueHeaders)).toEqual([['host', ['api.example.com']]]);
    expect(Object.entries(event.headers)).toEqual([['host', 'api.example.com']]);
    const empty = normalized(null, null);
    expect(empty.headers).toBeNull();
    expect(empty.multiValueHeaders).toBeNull();
  });

  it('treats a header named __proto__ or constructor as a header, in maps that inherit nothing', () => {
    const headers = JSON.parse('{"__proto__": "x", "Constructor": "y"}') as Record<string, string>;
    const multiValueHeaders = JSON.parse('{"__proto__": ["x"], "constructor": ["y"]}') as Record<
      string,
      string[]
    >;
    const event = normalized(headers, multiValueHeaders);
    expect(Object.getPrototypeOf(event.headers)).toBeNull();
    expect(Object.getPrototypeOf(event.multiValueHeaders)).toBeNull();
    expect(Object.entries(event.headers)).toEqual([
      ['__proto__', 'x'],
      ['constructor', 'y'],
    ]);
    expect(Object.entries(event.multiValueHeaders)).toEqual([
      ['__proto__', ['x']],
      ['constructor', ['y']],
    ]);
    expect(event.headers.toString).toBeUndefined();
  });
});
