/** trustedClientAddress on its own: the address chosen from the socket and X-Forwarded-For, and why not. */
import { beforeEach, describe, expect, it } from 'vitest';
import { importFresh } from '../../support/import-fresh.js';

type AddressModule = typeof import('../../../shared/http/trusted-client-address.js');
// Loaded afresh for each test, so its exported functions (module constants) are mutation-tested too.
let forwardedEntries: AddressModule['forwardedEntries'];
let trustedClientAddress: AddressModule['trustedClientAddress'];
beforeEach(async () => {
  ({ forwardedEntries, trustedClientAddress } = await importFresh<AddressModule>(
    new URL('../../../shared/http/trusted-client-address.js', import.meta.url),
  ));
});

const socketAddress = '192.0.2.1';

describe('forwardedEntries', () => {
  it('reads every entry in order across header lines, trimmed, skipping empty and missing ones', () => {
    expect(forwardedEntries(['6.6.6.6, 203.0.113.50', undefined, ' ,10.0.0.1 ,'])).toEqual([
      '6.6.6.6',
      '203.0.113.50',
      '10.0.0.1',
    ]);
    expect(forwardedEntries([])).toEqual([]);
  });
});

describe('trustedClientAddress', () => {
  it('keeps the socket address with 0 hops, without a warning, whatever the chain says', () => {
    for (const forwardedFor of [[], ['203.0.113.50'], ['unknown', 'x']]) {
      expect(trustedClientAddress({ socketAddress, forwardedFor, trustProxyHops: 0 })).toStrictEqual({
        address: socketAddress,
      });
    }
  });

  it('takes the entry `hops` from the right', () => {
    const forwardedFor = ['1.1.1.1', '203.0.113.50', '10.0.0.1'];
    expect(trustedClientAddress({ socketAddress, forwardedFor, trustProxyHops: 1 })).toStrictEqual({
      address: '10.0.0.1',
    });
    expect(trustedClientAddress({ socketAddress, forwardedFor, trustProxyHops: 3 })).toStrictEqual({
      address: '1.1.1.1',
    });
  });

  it('keeps the socket address and says why when the chain cannot be used', () => {
    expect(trustedClientAddress({ socketAddress, forwardedFor: [], trustProxyHops: 1 })).toStrictEqual({
      address: socketAddress,
      warning: 'missing',
    });
    expect(
      trustedClientAddress({ socketAddress, forwardedFor: ['203.0.113.50'], trustProxyHops: 2 }),
    ).toStrictEqual({ address: socketAddress, warning: 'tooShort', forwardedEntries: 1 });
    expect(
      trustedClientAddress({ socketAddress, forwardedFor: ['unknown', '10.0.0.1'], trustProxyHops: 2 }),
    ).toStrictEqual({ address: socketAddress, warning: 'invalid' });
  });
});
