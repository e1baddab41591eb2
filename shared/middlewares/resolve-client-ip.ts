import type { SecureMiddleware, SecureRequest } from '../http/secure-request.js';
import { forwardedEntries, trustedClientAddress, trustHopWarnings } from '../http/trusted-client-address.js';

/** All X-Forwarded-For entries in order, across repeated headers (API Gateway keeps them apart). */
const forwardedChain = (request: SecureRequest): string[] =>
  forwardedEntries(
    request.event.multiValueHeaders?.['x-forwarded-for'] ??
      (request.event.headers?.['x-forwarded-for'] === undefined
        ? []
        : [request.event.headers['x-forwarded-for']]),
  );

/**
 * The client address: API Gateway's sourceIp by default. Behind `hops` trusted proxies it is the entry
 * `hops` from the right of X-Forwarded-For: each trusted proxy appends the address it saw, so entries
 * a client prepends sit further left and can never be chosen. When the header cannot be trusted the
 * socket address stays and a warning says why (a wrong hop count silently merges or splits clients).
 */
export const resolveClientIp = (options: { readonly trustProxyHops: number }): SecureMiddleware => ({
  name: 'resolveClientIp',
  before: (request) => {
    const state = request.context.bulwark;
    // With 0 hops trustedClientAddress keeps the socket address and warns of nothing.
    const resolved = trustedClientAddress({
      socketAddress: state.clientIp,
      forwardedFor: forwardedChain(request),
      trustProxyHops: options.trustProxyHops,
    });
    if (resolved.warning !== undefined) {
      state.log.warn(trustHopWarnings[resolved.warning], {
        trust_proxy_hops: options.trustProxyHops,
        ...(resolved.forwardedEntries === undefined ? {} : { forwarded_entries: resolved.forwardedEntries }),
      });
      return;
    }
    state.clientIp = resolved.address;
  },
});
