/** Reading headers as the chain does: one value, or every value a repeated header arrived with. */
import { describe, expect, it } from 'vitest';
import { headerOf, headerValuesOf } from '../../../shared/http/secure-request.js';
import { secureRequestOf } from '../../support/secure-request-of.js';

describe('headerOf', () => {
  it('reads a header by its lowercase name', () => {
    const { request } = secureRequestOf({ event: { headers: { 'x-api-key': 'k' } } });
    expect(headerOf(request, 'x-api-key')).toBe('k');
    expect(headerOf(request, 'authorization')).toBeUndefined();
  });

  it('answers undefined when the event has no headers at all (API Gateway sends null)', () => {
    const { request } = secureRequestOf({ event: { headers: null as never } });
    expect(headerOf(request, 'host')).toBeUndefined();
  });
});

describe('headerValuesOf', () => {
  it('reads every value of a repeated header, in order', () => {
    const { request } = secureRequestOf({
      event: { headers: { authorization: 'b' }, multiValueHeaders: { authorization: ['a', 'b'] } },
    });
    expect(headerValuesOf(request, 'authorization')).toEqual(['a', 'b']);
  });

  it('drops values API Gateway left undefined', () => {
    const { request } = secureRequestOf({
      event: { multiValueHeaders: { authorization: ['a', undefined as never, 'b'] } },
    });
    expect(headerValuesOf(request, 'authorization')).toEqual(['a', 'b']);
  });

  it('falls back to the single header when there are no multi-value headers, or none for this name', () => {
    for (const multiValueHeaders of [null, undefined, {}, { authorization: null }]) {
      const { request } = secureRequestOf({
        event: { headers: { authorization: 'only' }, multiValueHeaders: multiValueHeaders as never },
      });
      expect(headerValuesOf(request, 'authorization')).toEqual(['only']);
    }
  });

  it('answers no values for a header that is absent everywhere', () => {
    const { request } = secureRequestOf({
      event: { headers: null as never, multiValueHeaders: null as never },
    });
    expect(headerValuesOf(request, 'authorization')).toEqual([]);
  });
});
