import { isIPv6 } from 'node:net';

/**
 * Redaction for everything Bulwark writes or sends away (logs, the triage digest a model reads), in two
 * layers (docs/adr/0019-log-triage-and-breaker.md):
 * 1. by field name: the value of a field whose name says it holds a credential is replaced whole, at any
 *    depth, whatever it holds;
 * 2. by pattern: every string value (messages, stack traces, any attribute) is scanned for secrets that
 *    carry a recognisable shape, wherever they sit in the text: Bulwark's API keys and refresh tokens,
 *    JWTs, `Bearer`/`Basic` credentials, AWS access key ids, e-mail addresses, IP addresses (truncated or
 *    removed by policy) and the deployment's own extra patterns; with `pairs` (redact-pairs.ts, what the
 *    triage digest uses), also the value of any `name=value` or `"name": value` pair inside text whose
 *    name layer 1 would redact as a field.
 */

/** Field names whose values are credentials or personal secrets, whatever their casing or separator. */
const sensitiveKey =
  /pass(word|wd|phrase)?|secret|token|authorization|api[-_]?key|cookie|credential|signature|private[-_]?key|hash|pepper|(access|signing|session|encryption|master|client|shared|hmac|auth)[-_]?key/i;

export const REDACTED = '[REDACTED]';

/** What the pattern layer does with an IP address: `/24` and `/64` prefixes, a marker, or nothing. */
export type IpAddressPolicy = 'truncate' | 'remove' | 'keep';
export const ipAddressPolicies = ['truncate', 'remove', 'keep'] as const;

export interface RedactionOptions {
  /** The API-key header (API_AUTH_HEADER): redacted by name like the built-in credential names. */
  readonly apiKeyHeader?: string;
  /** The deployment's own secret shapes (LOG_REDACT_PATTERNS); each match becomes `[REDACTED]`. */
  readonly extraPatterns?: readonly RegExp[];
  /** LOG_IP_ADDRESSES; `truncate` unless told otherwise. */
  readonly ipAddresses?: IpAddressPolicy;
  /**
   * A first pass over every string that replaces the values of credential-named pairs (`redactPairs`);
   * passed where text leaves for a model, kept out of the logger to keep every function's bundle small.
   */
  readonly pairs?: (text: string, isSensitive: (key: string) => boolean) => string;
}

/** What one set of options redacts: a name test, a text scrubber, a JSON replacer and a deep copier. */
export interface Redactor {
  readonly isSensitiveKey: (key: string) => boolean;
  /** The text with every recognised secret replaced; text without one comes back unchanged. */
  readonly redactText: (text: string) => string;
  /** JSON.stringify replacer (the logger's jsonReplacerFn): both layers, at any depth. */
  readonly replacer: (key: string, value: unknown) => unknown;
  /**
   * A redacted copy of a JSON-like value: sensitive names replaced, strings scrubbed, at most `maxDepth`
   * levels deep (deeper values become `[TRUNCATED]`), own enumerable properties only, never a prototype
   * key's effect (`__proto__` stays a plain property of the copy).
   */
  readonly redactValue: (value: unknown, maxDepth?: number) => unknown;
}

interface TextRule {
  readonly pattern: RegExp;
  readonly replace: (match: string, ...groups: string[]) => string;
}

const marker = (kind: string): string => `[REDACTED:${kind}]`;

/** Whether base64url text decodes to a JSON object with an `alg` member: a JWS header. */
const isJwtHeader = (segment: string): boolean => {
  try {
    return Object.hasOwn(JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')), 'alg');
  } catch {
    return false;
  }
};

/**
 * Shapes recognised anywhere in a string, without word boundaries so a secret glued to other text is
 * still found; the more specific shapes run first. Identifiers that are not secrets by themselves (an
 * API key's id, a refresh token's family id) are kept so a line can still be traced to its key.
 */
const secretRules: readonly TextRule[] = [
  // Bulwark API key `bwk_<id>:<secret>` (also malformed ones a client sent, any length: the id's class has
  // no `_`, so a run is scanned once): the id stays, the secret goes.
  { pattern: /(bwk_[A-Za-z0-9]+):[\w-]+/g, replace: (_, id) => `${id}:${REDACTED}` },
  // Bulwark refresh token `brt_<family>.<secret>`.
  // The family is bounded: `[\w-]` includes `_`, so an unbounded run could rescan `brt_brt_brt_...` from
  // every start (quadratic); 256 is four times any family a client could plausibly send.
  { pattern: /(brt_[\w-]{1,256})\.[\w-]+/g, replace: (_, family) => `${family}.${REDACTED}` },
  // JWT (JWS compact: header.payload.signature; a JWE's first three parts go the same way). A match
  // starts where a dot-separated segment starts, and the lookahead (unambiguous, so linear) checks the
  // three-part shape before `eyJ` is searched for inside the first part: a long run of `eyJ` without
  // dots costs one scan, not one per `eyJ`. The text before `eyJ` in its segment stays.
  {
    pattern: /(?<![\w-])(?=[\w-]*\.[\w-]*\.)([\w-]*?)eyJ[\w-]*\.[\w-]*\.[\w-]*/g,
    replace: (_, before) => `${before}${marker('jwt')}`,
  },
  // A JWT whose header JSON starts with whitespace (`{ "alg"` is `eyA...`, `{\n` is `ew...`), at the start
  // of a segment: replaced only when that header decodes to a JSON object naming `alg`, so a host name
  // such as `eye.example.com` stays.
  {
    pattern: /(?<![\w-])e[wy][\w-]+\.[\w-]+\.[\w-]*/g,
    replace: (match) => (isJwtHeader(match.slice(0, match.indexOf('.'))) ? marker('jwt') : match),
  },
  // HTTP credentials after their scheme: `Bearer <token68>` in any case, and `Basic <base64>` when the
  // base64 decodes to `user:password` (so the word "basic" in a sentence stays).
  {
    pattern: /(bearer)(\s+)[\w\-.~+/]+=*/gi,
    replace: (_, scheme, space) => `${scheme}${space}${REDACTED}`,
  },
  {
    pattern: /(basic)(\s+)([A-Za-z0-9+/]+={0,2})/gi,
    replace: (match, scheme, space, encoded) =>
      Buffer.from(encoded, 'base64').toString('latin1').includes(':')
        ? `${scheme}${space}${REDACTED}`
        : match,
  },
  // AWS access key ids (long-term AKIA, temporary ASIA, and the rarer ABIA/ACCA).
  { pattern: /A(?:KIA|SIA|BIA|CCA)[A-Z0-9]{16}/g, replace: () => marker('aws-access-key-id') },
  // E-mail addresses. A match starts only where a run of local-part characters starts (a match inside
  // the run would start at its beginning anyway), which keeps a long run without `@` linear, not quadratic.
  {
    pattern: /(?<![\w.%+-])[\w.%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g,
    replace: () => marker('email'),
  },
];

/** With an optional CIDR suffix, so a network (and a line redacted before) is truncated once, not twice. */
const ipv4 = /(?<![\d.])(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2})(?!\d))?(?!\.?\d)/g;
/**
 * Candidates only: runs of hex groups and colons (with an optional dotted tail), checked by isIPv6. Up to
 * eight colons: `::` may stand for a single group (`1:2:3:4:5:6:7::`).
 */
const ipv6Candidate =
  /(?<![0-9A-Fa-f:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,8}(?:\.\d{1,3}){0,3}(?![0-9A-Fa-f:])(?:\/(\d{1,3})(?!\d))?/g;

const isOctet = (text: string): boolean => Number(text) <= 255 && (text === '0' || !text.startsWith('0'));

/**
 * The first four groups of an IPv6 address (its /64) and `::`. The address is valid (isIPv6),
 * so its groups and the zeros `::` stands for make eight, and a dotted IPv4 tail is always past the fourth.
 */
const ipv6Prefix = (address: string): string => {
  const [head, tail] = address.split('::') as [string, string?];
  const groupsOf = (part: string): string[] => (part === '' ? [] : part.split(':'));
  const headGroups = groupsOf(head);
  const tailGroups = groupsOf(tail ?? '');
  const zeros: string[] = Array(8 - headGroups.length - tailGroups.length).fill('0');
  const prefix = [...headGroups, ...zeros, ...tailGroups]
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ''));
  return `${prefix.join(':')}::`;
};

/**
 * The prefix length a truncated address is written with: the policy's (`/24`, `/64`), or a network's own
 * when it is wider. A suffix longer than the address is not a prefix length and is kept as text.
 */
const truncatedTo = (suffix: string | undefined, policyBits: number, addressBits: number): string => {
  if (suffix === undefined) return `/${policyBits}`;
  const bits = Number(suffix);
  return bits > addressBits ? `/${policyBits}/${suffix}` : `/${Math.min(bits, policyBits)}`;
};

const ipRules = (policy: IpAddressPolicy): readonly TextRule[] => {
  if (policy === 'keep') return [];
  return [
    {
      pattern: ipv6Candidate,
      replace: (match, suffix?: string) => {
        const whole = suffix === undefined ? match : match.slice(0, -(suffix.length + 1));
        // `ip:2001:db8::1`: the run starts at the separating colon, which is not the address's own.
        const candidate = whole.startsWith(':') && !isIPv6(whole) ? whole.slice(1) : whole;
        const lead = whole.slice(0, whole.length - candidate.length);
        const groups = candidate.split(':').filter((group) => group !== '');
        if (groups.length < 2 || !isIPv6(candidate)) return match;
        if (policy === 'remove') return `${lead}${marker('ip')}`;
        return `${lead}${ipv6Prefix(candidate.toLowerCase())}${truncatedTo(suffix, 64, 128)}`;
      },
    },
    {
      pattern: ipv4,
      replace: (address, a, b, c, d, suffix?: string) => {
        if (![a, b, c, d].every(isOctet)) return address;
        return policy === 'remove' ? marker('ip') : `${a}.${b}.${c}.0${truncatedTo(suffix, 24, 32)}`;
      },
    },
  ];
};

const withGlobalFlag = (pattern: RegExp): RegExp =>
  pattern.global ? pattern : new RegExp(pattern.source, `${pattern.flags}g`);

/** Deeper than this, the logger's values and the triage digest are cut (`[TRUNCATED]`). */
const defaultMaxDepth = 32;
export const TRUNCATED = '[TRUNCATED]';

/** A redactor for one deployment's settings (createRuntime builds the logger's from the config). */
export const createRedactor = (options: RedactionOptions = {}): Redactor => {
  const header = options.apiKeyHeader?.toLowerCase();
  const isSensitive = (key: string): boolean => sensitiveKey.test(key) || key.toLowerCase() === header;
  const rules: readonly TextRule[] = [
    ...secretRules,
    ...(options.extraPatterns ?? []).map((pattern) => ({
      pattern: withGlobalFlag(pattern),
      replace: () => REDACTED,
    })),
    ...ipRules(options.ipAddresses ?? 'truncate'),
  ];
  const redactText = (text: string): string =>
    rules.reduce(
      (current, rule) =>
        current.replace(rule.pattern, (match: string, ...rest: unknown[]) =>
          rule.replace(
            match,
            ...(rest.filter((part) => typeof part === 'string' || part === undefined) as string[]),
          ),
        ),
      options.pairs === undefined ? text : options.pairs(text, isSensitive),
    );
  const replacer = (key: string, value: unknown): unknown => {
    if (key !== '' && isSensitive(key) && value !== undefined && value !== null) return REDACTED;
    return typeof value === 'string' ? redactText(value) : value;
  };
  const redactValue = (value: unknown, maxDepth = defaultMaxDepth): unknown => {
    const visit = (node: unknown, depth: number): unknown => {
      if (typeof node === 'string') return redactText(node);
      if (node === null || typeof node !== 'object') return node;
      if (depth >= maxDepth) return TRUNCATED;
      if (Array.isArray(node)) return node.map((item) => visit(item, depth + 1));
      return Object.fromEntries(
        Object.entries(node).map(([key, child]) => [
          key,
          isSensitive(key) && child !== undefined && child !== null ? REDACTED : visit(child, depth + 1),
        ]),
      );
    };
    return visit(value, 0);
  };
  return { isSensitiveKey: isSensitive, redactText, replacer, redactValue };
};

// No apiKeyHeader: the built-in names already cover the default `x-api-key` header (`api-key`).
const defaultRedactor = /* @__PURE__ */ createRedactor();

/** Whether a field of this name holds a credential (built-in names, the default `x-api-key` header among them). */
export const isSensitiveKey = (key: string): boolean => defaultRedactor.isSensitiveKey(key);

/** Every recognised secret in `text` replaced, with the default options (IP addresses truncated). */
export const redactText = (text: string): string => defaultRedactor.redactText(text);

/**
 * JSON replacer with the default options: any field whose name looks like a credential is replaced, at
 * any depth, and every string value is scrubbed of recognised secrets, so a careless
 * `log.info('x', { headers })` or a token pasted into a message cannot reach the output.
 */
export const redactSensitive = (key: string, value: unknown): unknown => defaultRedactor.replacer(key, value);
