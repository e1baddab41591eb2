/**
 * Masks anything that looks like a credential before text reaches stderr, whatever produced it (a parse
 * error that echoes a mistyped `--api-key=...`, an exception message): API keys, refresh tokens, JWTs,
 * Bearer values. The last four characters stay, so an operator can tell which one it was.
 */
const patterns: readonly RegExp[] = [
  /\bbwk_[a-z2-7]{20}:[A-Za-z0-9_-]{8,}/g,
  /\bbrt_[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{8,}/g,
  /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g,
  /\b(Bearer\s+)[A-Za-z0-9._~+/-]{8,}=*/gi,
];

/** `****` and the last four characters; short values are masked whole. */
export const maskTail = (value: string): string => (value.length <= 8 ? '****' : `****${value.slice(-4)}`);

/** An API key credential as the CLI shows it anywhere but `keys create`/`rotate`: id in full, secret masked. */
export const maskCredential = (credential: string): string => {
  const colon = credential.indexOf(':');
  return colon === -1
    ? maskTail(credential)
    : `${credential.slice(0, colon)}:${maskTail(credential.slice(colon + 1))}`;
};

export const redactSecrets = (text: string): string =>
  patterns.reduce(
    (redacted, pattern) =>
      redacted.replace(pattern, (match, bearer?: string) =>
        typeof bearer === 'string' && /^Bearer/i.test(bearer)
          ? `${bearer}${maskTail(match.slice(bearer.length))}`
          : match.startsWith('bwk_')
            ? maskCredential(match)
            : maskTail(match),
      ),
    text,
  );
