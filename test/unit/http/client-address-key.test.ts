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

  it('expands a compressed run between groups, counting the groups on both sides', () => {
    expect(clientAddressKey('2001:db8:1:2::10')).toBe('2001:0db8:0001:0002::/64');
    expect(clientAddressKey('2001:db8::1:2:3:4:5')).toBe('2001:0db8:0000:0001::/64');
    expect(clientAddressKey('2001::2:3:4:5:6:7')).toBe('2001:0000:0002:0003::/64');
    expect(clientAddressKey('::2:3:4:5:6:7:8')).toBe('0000:0002:0003:0004::/64');
    expect(clientAddressKey('1:2:3::')).toBe('0001:0002:0003:0000::/64');
  });

  it('keys a link-local address with a zone by its /64, ignoring the zone', () => {
    expect(clientAddressKey('fe80::1%eth0')).toBe('fe80:0000:0000:0000::/64');
    expect(clientAddressKey('fe80:1:2:3:4:5:6:7%2')).toBe('fe80:0001:0002:0003::/64');
  });

  it('ignores a zone even when the zone itself contains colons or a double colon', () => {
    // Node accepts any zone text after '%'; read as groups it would shift the /64.
    expect(clientAddressKey('fe80::1%a:b:c:d:e:f')).toBe('fe80:0000:0000:0000::/64');
    expect(clientAddressKey('fe80::1%::1:2:3:4:5')).toBe('fe80:0000:0000:0000::/64');
    expect(clientAddressKey('2001:db8:1:2:3:4:5:6%1:2:3:4:5:6:7')).toBe('2001:0db8:0001:0002::/64');
  });

  it('keys an IPv4-mapped address only in its exact ::ffff: form', () => {
    expect(clientAddressKey('::FFFF:192.0.2.1')).toBe('192.0.2.1');
    // Other IPv6 addresses with an IPv4 tail are IPv6 clients of their own, kept as they are.
    expect(clientAddressKey('2001:db8::ffff:192.0.2.1')).toBe('2001:db8::ffff:192.0.2.1');
    expect(clientAddressKey('::ffff:192.0.2.1.5')).toBe('::ffff:192.0.2.1.5');
  });

  it('leaves anything that is not an address unchanged', () => {
    expect(clientAddressKey('unknown')).toBe('unknown');
  });
});
