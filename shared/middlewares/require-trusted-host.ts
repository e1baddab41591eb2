import { HostUntrustedError } from '../errors/request-errors.js';
import { headerOf, type SecureMiddleware } from '../http/secure-request.js';
import { isTrustedHost, parseHost, parseTrustedHostPattern } from '../http/trusted-host.js';

/**
 * With TRUSTED_HOSTS set, a request whose Host is not a well-formed host (see parseHost) or matches no
 * entry is refused with 400, and so is one without a Host. Entries are parsed once, when the chain is built.
 */
export const requireTrustedHost = (options: {
  readonly trustedHosts: readonly string[];
}): SecureMiddleware => {
  const patterns = options.trustedHosts.map((entry) => {
    const pattern = parseTrustedHostPattern(entry);
    if (pattern === undefined) throw new TypeError(`trusted host entry is not a host: ${entry}`);
    return pattern;
  });
  return {
    name: 'requireTrustedHost',
    before: (request) => {
      if (patterns.length === 0) return;
      const value = headerOf(request, 'host');
      const host = value === undefined ? undefined : parseHost(value.trim());
      if (host === undefined || !patterns.some((pattern) => isTrustedHost(host, pattern))) {
        throw new HostUntrustedError();
      }
    },
  };
};
