import { isIP } from 'node:net';
import type { SecureMiddleware, SecureRequest } from '../http/secure-request.js';

/** All X-Forwarded-For entries in order, across repeated headers (API Gateway keeps them apart). */
const forwardedChain = (request: SecureRequest): string[] => {
  const values =
    request.event.multiValueHeaders?.['x-forwarded-for'] ??
    (request.event.headers?.['x-forwarded-for'] === undefined
      ? []
      : [request.event.headers['x-forwarded-for']]);
  return values
    .flatMap((value) => (value ?? '').split(','))
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
};

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
    if (options.trustProxyHops === 0) return;
    const chain = forwardedChain(request);
    if (chain.length === 0) {
      state.log.warn('trust proxy hops configured but X-Forwarded-For is missing', {
        trust_proxy_hops: options.trustProxyHops,
      });
      return;
    }
    if (chain.length < options.trustProxyHops) {
      state.log.warn('X-Forwarded-For has fewer entries than configured trust proxy hops', {
        trust_proxy_hops: options.trustProxyHops,
        forwarded_entries: chain.length,
      });
      return;
    }
    const candidate = chain[chain.length - options.trustProxyHops] ?? '';
    if (isIP(candidate) === 0) {
      state.log.warn('trust proxy hops configured but X-Forwarded-For entry is invalid', {
        trust_proxy_hops: options.trustProxyHops,
      });
      return;
    }
    state.clientIp = candidate;
  },
});
