import { isIP } from 'node:net';

const expandIpv6 = (address: string): string[] => {
  const [head = '', tail = ''] = address.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = address.includes('::') ? (tail === '' ? [] : tail.split(':')) : [];
  const missing = 8 - headGroups.length - tailGroups.length;
  return [...headGroups, ...Array.from({ length: Math.max(0, missing) }, () => '0'), ...tailGroups].map(
    (group) => group.toLowerCase().padStart(4, '0'),
  );
};

/**
 * The part of a client address that identifies one client for limits and login throttling. An IPv6
 * client usually controls a whole /64 and could rotate addresses inside it, so IPv6 is keyed by its
 * /64; an IPv4-mapped IPv6 address is keyed as the IPv4 address it is.
 */
export const clientAddressKey = (address: string): string => {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped?.[1] !== undefined) return mapped[1];
  if (isIP(address) !== 6 || address.includes('.')) return address;
  return `${expandIpv6(address.split('%')[0] ?? address)
    .slice(0, 4)
    .join(':')}::/64`;
};
