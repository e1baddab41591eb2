import { describe, expect, it } from 'vitest';
import { clientAddressKey } from '../../../shared/http/client-address-key.js';

describe('clientAddressKey', () => {
  it('keeps an IPv4 address as it is', () => {
    expect(clientAddressKey('198.51.100.7')).toBe('198.51.100.7');
  });

  it('keys an IPv4-mapped IPv6 address as its IPv4 address', () => {
    expect(clientAddressKey('::ffff:198.51.100.7')).toBe('198.51.100.7');
  });

  it('keys every address of one IPv6 /64 the same, so rotating inside it gains nothing', () => {
    const key = clientAddressKey('2001:db8:abcd:12::1');
    expect(key).toBe('2001:0db8:abcd:0012::/64');
    expect(clientAddressKey('2001:DB8:ABCD:12:ffff:eeee:dddd:cccc')).toBe(key);
    expect(clientAddressKey('2001:db8:abcd:13::1')).not.toBe(key);
  });

  it('expands compressed forms at either end', () => {
    expect(clientAddressKey('::1')).toBe('0000:0000:0000:0000::/64');
    expect(clientAddressKey('fe80::')).toBe('fe80:0000:0000:0000::/64');
  });

  it('leaves anything that is not an address unchanged', () => {
    expect(clientAddressKey('unknown')).toBe('unknown');
  });
});
