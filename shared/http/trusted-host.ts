import { isIP } from 'node:net';

/** A Host header (or TRUSTED_HOSTS entry) taken apart: a lowercase name and an optional port. */
export interface ParsedHost {
  /** DNS labels, an IPv4 address, or an IPv6 address without its brackets; lowercase. */
  readonly hostname: string;
  readonly port: number | undefined;
}

const label = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
/** 1-65535 in one spelling: no sign, no leading zero, no empty port. */
const portText = /^[1-9][0-9]{0,4}$/;
const maxHostnameLength = 253;

const parsePort = (text: string | undefined): number | undefined | null => {
  if (text === undefined) return undefined;
  if (!portText.test(text)) return null;
  const port = Number(text);
  return port <= 65_535 ? port : null;
};

/** Valid labels (so never empty: '' splits into one empty label); an IPv4 address is such a name too. */
const isDnsName = (hostname: string): boolean =>
  hostname.length <= maxHostnameLength && hostname.split('.').every((part) => label.test(part));

/**
 * RFC 9110's `Host = uri-host [ ":" port ]`, strictly: a DNS name of valid labels, an IPv4 address or a
 * bracketed IPv6 address, then at most one port in 1-65535. Anything else (paths, fragments, userinfo,
 * empty labels, whitespace, a port spliced between labels) is not a host, so it can never end in a
 * trusted suffix by accident. One trailing dot (a fully qualified name) is dropped.
 */
export const parseHost = (value: string): ParsedHost | undefined => {
  const text = value.toLowerCase();
  if (text.startsWith('[')) {
    // Without a ']' (close -1) the rest is the whole text, which starts with '[': refused below.
    const close = text.indexOf(']');
    const address = text.slice(1, close);
    const rest = text.slice(close + 1);
    if (isIP(address) !== 6 || (rest !== '' && !rest.startsWith(':'))) return undefined;
    const port = parsePort(rest === '' ? undefined : rest.slice(1));
    return port === null ? undefined : { hostname: address, port };
  }
  const parts = text.split(':');
  if (parts.length > 2) return undefined;
  const [name = '', portPart] = parts;
  const port = parsePort(portPart);
  if (port === null) return undefined;
  const hostname = name.endsWith('.') ? name.slice(0, -1) : name;
  // An IPv4 address is a name of numeric labels, so this also accepts IPv4 hosts.
  return isDnsName(hostname) ? { hostname, port } : undefined;
};

/** A TRUSTED_HOSTS entry: an exact host, or `*.suffix` for any name with more labels ending in it. */
export interface TrustedHostPattern {
  readonly wildcard: boolean;
  /** The exact hostname, or the suffix's labels joined by dots for a wildcard. */
  readonly hostname: string;
  /** When the entry names a port, only that port is trusted; otherwise any valid port. */
  readonly port: number | undefined;
}

/** A top-level domain is never all digits (RFC 3696 section 2); a name ending in one is an address's tail. */
const endsInNumericLabel = (hostname: string): boolean => /(^|\.)[0-9]+$/.test(hostname);

/**
 * A wildcard is for DNS names: a suffix that is an address, or ends in a numeric label (`*.2.3.4`), could
 * only ever match IPv4 addresses, and is refused.
 */
export const parseTrustedHostPattern = (entry: string): TrustedHostPattern | undefined => {
  const wildcard = entry.startsWith('*.');
  const parsed = parseHost(wildcard ? entry.slice(2) : entry);
  if (parsed === undefined) return undefined;
  if (wildcard && (isIP(parsed.hostname) !== 0 || endsInNumericLabel(parsed.hostname))) return undefined;
  return { wildcard, hostname: parsed.hostname, port: parsed.port };
};

/** Label-wise: `*.example.com` trusts `api.example.com` and `eu.api.example.com`, never `example.com`. */
export const isTrustedHost = (host: ParsedHost, pattern: TrustedHostPattern): boolean => {
  if (pattern.port !== undefined && host.port !== pattern.port) return false;
  if (!pattern.wildcard) return host.hostname === pattern.hostname;
  // An address is never a name under a wildcard, whatever its last labels spell.
  if (isIP(host.hostname) !== 0) return false;
  return host.hostname.endsWith(`.${pattern.hostname}`) && isDnsName(host.hostname);
};
