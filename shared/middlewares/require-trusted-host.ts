import { HostUntrustedError } from '../errors/request-errors.js';
import { headerOf, type SecureMiddleware } from '../http/secure-request.js';

const hostWithoutPort = (host: string): string => host.trim().toLowerCase().replace(/:\d+$/, '');

const matches = (host: string, pattern: string): boolean => {
  const bare = hostWithoutPort(pattern);
  if (bare.startsWith('*.')) return host.endsWith(bare.slice(1)) && host.length > bare.length - 1;
  return host === bare;
};

/** With TRUSTED_HOSTS set, a request for any other Host (or none) is refused with 400. */
export const requireTrustedHost = (options: {
  readonly trustedHosts: readonly string[];
}): SecureMiddleware => ({
  name: 'requireTrustedHost',
  before: (request) => {
    if (options.trustedHosts.length === 0) return;
    const host = headerOf(request, 'host');
    if (
      host === undefined ||
      !options.trustedHosts.some((pattern) => matches(hostWithoutPort(host), pattern))
    ) {
      throw new HostUntrustedError();
    }
  },
});
