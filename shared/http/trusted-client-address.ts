import { isIP } from 'node:net';

/** Why the forwarded chain could not be trusted; each is logged as a warning with the same message. */
export const trustHopWarnings = {
  missing: 'trust proxy hops configured but X-Forwarded-For is missing',
  tooShort: 'X-Forwarded-For has fewer entries than configured trust proxy hops',
  invalid: 'trust proxy hops configured but X-Forwarded-For entry is invalid',
} as const;

export type TrustHopWarning = keyof typeof trustHopWarnings;

export interface TrustedClientAddress {
  readonly address: string;
  /** Set when hops are configured but the chain could not be used: the socket address stands. */
  readonly warning?: TrustHopWarning;
  /** Entries the chain had, for the `tooShort` warning. */
  readonly forwardedEntries?: number;
}

/** Every entry of X-Forwarded-For in order, across repeated header lines. */
export const forwardedEntries = (values: readonly (string | undefined)[]): string[] =>
  values
    .flatMap((value) => (value ?? '').split(','))
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);

/**
 * The client address from the socket address (API Gateway's `sourceIp`) and the X-Forwarded-For chain.
 * With 0 hops it is the socket address; behind `hops` trusted proxies it is the entry `hops` from the right:
 * each trusted proxy appends the address it saw, so entries a client prepends sit further left and can
 * never be chosen. When the chain cannot be trusted the socket address stays and `warning` says why. The
 * REST chain (API_TRUST_PROXY_HOPS) and the realtime gateway (REALTIME_TRUST_PROXY_HOPS) both use it.
 */
export const trustedClientAddress = (options: {
  readonly socketAddress: string;
  readonly forwardedFor: readonly string[];
  readonly trustProxyHops: number;
}): TrustedClientAddress => {
  const { socketAddress, forwardedFor: chain, trustProxyHops } = options;
  if (trustProxyHops === 0) return { address: socketAddress };
  if (chain.length === 0) return { address: socketAddress, warning: 'missing' };
  if (chain.length < trustProxyHops)
    return { address: socketAddress, warning: 'tooShort', forwardedEntries: chain.length };
  const candidate = chain[chain.length - trustProxyHops] ?? '';
  if (isIP(candidate) === 0) return { address: socketAddress, warning: 'invalid' };
  return { address: candidate };
};
