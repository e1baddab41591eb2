/**
 * Pattern redaction as properties: a secret of each kind, put anywhere in a random log record (any field,
 * any depth, any position inside a string, glued to the text around it), never survives the logger or
 * redactValue; ordinary text passes unchanged. IP addresses are recognised where they stand as addresses
 * (not glued to digits, dots or hex), and follow the policy.
 */
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../shared/logging/create-logger.js';
import { redactPairs } from '../../../shared/logging/redact-pairs.js';
import { importFresh } from '../../support/import-fresh.js';
import { captureLogs } from '../../support/test-runtime.js';

type RedactModule = typeof import('../../../shared/logging/redact-sensitive.js');
// Loaded afresh for each test, so the patterns (module constants) are mutation-tested by these properties;
// the logger tests check the instance the logger really uses.
let createRedactor: RedactModule['createRedactor'];
let redactSensitive: RedactModule['redactSensitive'];
let REDACTED: RedactModule['REDACTED'];
beforeEach(async () => {
  ({ createRedactor, redactSensitive, REDACTED } = await importFresh<RedactModule>(
    new URL('../../../shared/logging/redact-sensitive.js', import.meta.url),
  ));
});

const chars = (alphabet: string) => fc.constantFrom(...alphabet.split(''));
const stringOf = (alphabet: string, minLength: number, maxLength: number) =>
  fc.string({ unit: chars(alphabet), minLength, maxLength });
const base64url = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const base32 = 'abcdefghijklmnopqrstuvwxyz234567';
const upperDigits = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const token68 = `${base64url}.~+/`;

/** A secret and the parts of it that must never appear in the output. */
interface Secret {
  readonly kind: string;
  readonly text: string;
  /** Substrings that are the secret itself (an API key's id may stay; its secret may not). */
  readonly mustVanish: readonly string[];
}

const apiKey = fc
  .tuple(stringOf(base32, 20, 20), stringOf(base64url, 43, 43))
  .map(([id, secret]): Secret => ({ kind: 'api key', text: `bwk_${id}:${secret}`, mustVanish: [secret] }));
const refreshToken = fc.tuple(stringOf(base64url, 22, 22), stringOf(base64url, 43, 43)).map(
  ([family, secret]): Secret => ({
    kind: 'refresh token',
    text: `brt_${family}.${secret}`,
    mustVanish: [secret],
  }),
);
const segment = (min: number) => stringOf(base64url, min, 60);
const jwt = fc.tuple(segment(4), segment(8), segment(16)).map(([header, payload, signature]): Secret => {
  const text = `eyJ${header}.eyJ${payload}.${signature}`;
  return { kind: 'jwt', text, mustVanish: [`${payload}.${signature}`, signature] };
});
const bearer = fc
  .tuple(fc.constantFrom('Bearer', 'bearer', 'BEARER'), stringOf(token68, 12, 80), stringOf('=', 0, 2))
  .map(
    ([scheme, value, padding]): Secret => ({
      kind: 'bearer',
      text: `${scheme} ${value}${padding}`,
      mustVanish: [value],
    }),
  );
const basic = fc
  .tuple(stringOf(base64url, 1, 16), stringOf(base64url, 8, 32))
  .map(([user, password]): Secret => {
    const encoded = Buffer.from(`${user}:${password}`).toString('base64');
    return { kind: 'basic', text: `Basic ${encoded}`, mustVanish: [encoded] };
  });
const awsKeyId = fc
  .tuple(fc.constantFrom('AKIA', 'ASIA'), stringOf(upperDigits, 16, 16))
  .map(([prefix, rest]): Secret => ({ kind: 'aws key id', text: `${prefix}${rest}`, mustVanish: [rest] }));
const email = fc
  .tuple(
    stringOf('abcdefghijklmnopqrstuvwxyz0123456789._+-', 1, 20),
    stringOf('abcdefghijklmnopqrstuvwxyz0123456789', 1, 15),
    fc.constantFrom('com', 'org', 'example', 'de', 'co.uk'),
  )
  .map(([local, domain, tld]): Secret => {
    const text = `${local}${local.endsWith('.') ? 'x' : ''}@${domain}.${tld}`;
    return { kind: 'email', text, mustVanish: [text.slice(0, text.indexOf('@') + 1) + domain] };
  });

const patternSecret = fc.oneof(apiKey, refreshToken, jwt, bearer, basic, awsKeyId, email);

/** Any text, including the characters secrets are made of: a secret may be glued to it on either side. */
const anyText = fc.string({ maxLength: 30 });

/** A random JSON-like record with `hole` placed in one string leaf, at any depth. */
const recordWith = (hole: string) =>
  fc
    .tuple(
      fc.array(fc.constantFrom('detail', 'context', 'items', '0', 'error', 'cause', 'message'), {
        maxLength: 5,
      }),
      fc.dictionary(
        fc.constantFrom('route', 'status', 'note', 'path', 'count'),
        fc.oneof(fc.string(), fc.integer(), fc.boolean()),
      ),
      anyText,
      anyText,
    )
    .map(([path, siblings, before, after]) => {
      let node: unknown = `${before}${hole}${after}`;
      for (const key of [...path].reverse()) node = key === '0' ? [node] : { ...siblings, [key]: node };
      return { record: { ...siblings, detail: node }, before, after };
    });

const loggerWithCapture = () => {
  const logger = createLogger('debug');
  return { logger, logs: captureLogs(logger) };
};

describe('pattern redaction', () => {
  it('no secret of any kind survives the logger, wherever it sits in a record or a message', () => {
    fc.assert(
      fc.property(
        patternSecret.chain((secret) => recordWith(secret.text).map((placed) => ({ secret, ...placed }))),
        ({ secret, record, before, after }) => {
          const { logger, logs } = loggerWithCapture();
          logger.info(`seen ${before}${secret.text}${after}`, { record });
          const text = logs.text();
          for (const part of secret.mustVanish) expect(text, secret.kind).not.toContain(part);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('no secret survives redactValue, the copy the triage digest is built from', () => {
    const { redactValue } = createRedactor();
    fc.assert(
      fc.property(
        patternSecret.chain((secret) => recordWith(secret.text).map((placed) => ({ secret, ...placed }))),
        ({ secret, record }) => {
          const text = JSON.stringify(redactValue(record));
          for (const part of secret.mustVanish) expect(text, secret.kind).not.toContain(part);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('no secret survives inside an error the logger formats: its message, its stack, its cause', () => {
    fc.assert(
      fc.property(patternSecret, anyText, (secret, before) => {
        const { logger, logs } = loggerWithCapture();
        const cause = new Error(`upstream said ${before}${secret.text}`);
        logger.error('request failed', { error: new Error(`${secret.text} refused`, { cause }) });
        const text = logs.text();
        expect(text).toContain('refused');
        for (const part of secret.mustVanish) expect(text, secret.kind).not.toContain(part);
      }),
      { numRuns: 200 },
    );
  });

  it('with the pair pass (the triage digest), redacts credential-named pairs inside text: query strings, forms, JSON, escaped JSON', () => {
    const name = fc.constantFrom(
      'password',
      'access_token',
      'refresh_token',
      'client_secret',
      'apiKey',
      'x-api-key',
      'pepper',
      'Authorization',
      'session_token',
      'signingKey',
    );
    const value = stringOf(`${base64url}!$%*()+/=`, 10, 40);
    const form = fc.constantFrom(
      (n: string, v: string) => `https://example.test/cb?state=1&${n}=${v}&next=%2F`,
      (n: string, v: string) => `${n}=${v}`,
      (n: string, v: string) => `{"user":"bob","${n}":"${v}","ok":true}`,
      (n: string, v: string) => `{"${n}" : "${v}"}`,
      (n: string, v: string) => `{'${n}': '${v}'}`,
      (n: string, v: string) => `body={\\"${n}\\":\\"${v}\\",\\"id\\":1}`,
      (n: string, v: string) => `${n}="${v}" rest`,
    );
    const { redactText, redactValue } = createRedactor({ pairs: redactPairs });
    fc.assert(
      fc.property(name, value, form, anyText, anyText, (key, secret, shape, before, after) => {
        const text = `${before} ${shape(key, secret)} ${after}`;
        expect(redactText(text)).not.toContain(secret);
        expect(JSON.stringify(redactValue({ message: text }))).not.toContain(secret);
      }),
      { numRuns: 400 },
    );
    // An array or object value goes whole (found by an outside test: only its opening bracket went).
    expect(redactText('{"refresh_tokens":["OPAQUE1","OPAQUE2"],"ok":true}')).toBe(
      `{"refresh_tokens":${REDACTED},"ok":true}`,
    );
    expect(redactText('{"secret":{"value":"NESTED","note":"a]b}"},"id":1}')).toBe(
      `{"secret":${REDACTED},"id":1}`,
    );
    expect(redactText('{"password":["unclosed')).toBe(`{"password":${REDACTED}`);
    expect(redactText('GET /cb?code=abc&access_token=s3cr3t-value&state=xyz')).toBe(
      `GET /cb?code=abc&access_token=${REDACTED}&state=xyz`,
    );
    expect(redactText('payload {"username":"bob","password":"hunter2!"}')).toBe(
      `payload {"username":"bob","password":"${REDACTED}"}`,
    );
    expect(redactText('{\\"client_secret\\": \\"abc-def\\", \\"id\\": 1}')).toBe(
      `{\\"client_secret\\": \\"${REDACTED}\\", \\"id\\": 1}`,
    );
    expect(redactText('login password="half a secret')).toBe(`login password="${REDACTED}"`);
    // Names that are not credentials keep their values, and prose around a credential word stays.
    expect(redactText('key_id=bwk_abcdefghijklmnopqrst limit=5 "route":"login"')).toBe(
      'key_id=bwk_abcdefghijklmnopqrst limit=5 "route":"login"',
    );
    expect(redactText('invalid token: signature mismatch')).toBe('invalid token: signature mismatch');
  });

  it('replaces the whole value of a credential field at any depth, whatever it holds', () => {
    const names = fc.constantFrom(
      'password',
      'newPassword',
      'refresh_token',
      'accessToken',
      'client_secret',
      'x-api-key',
      'X-Partner-Key',
      'apiKey',
      'secretKey',
      'signingKey',
      'private_key',
      'pepper',
      'Authorization',
      'cookie',
      'Set-Cookie',
    );
    const { redactValue, replacer } = createRedactor({ apiKeyHeader: 'x-partner-key' });
    fc.assert(
      fc.property(names, fc.string({ minLength: 6 }), fc.nat(4), (name, value, depth) => {
        const marker = `<<${value}>>`;
        let record: unknown = { [name]: marker, kept: 'visible' };
        for (let level = 0; level < depth; level += 1) record = { nested: [record] };
        const logged = JSON.stringify(record, replacer);
        expect(logged).not.toContain(JSON.stringify(marker).slice(1, -1));
        expect(logged).toContain(REDACTED);
        expect(logged).toContain('visible');
        expect(JSON.stringify(redactValue(record))).toBe(logged);
      }),
    );
  });

  it('is idempotent: redacting redacted text changes nothing (with IP addresses removed, not truncated)', () => {
    const { redactText } = createRedactor({ ipAddresses: 'remove' });
    const ipv4 = fc
      .tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255))
      .map((octets) => ({ kind: 'ip', text: octets.join('.'), mustVanish: [] }) satisfies Secret);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(anyText, fc.oneof(patternSecret, ipv4)), { maxLength: 4 }),
        anyText,
        (parts, last) => {
          const text = parts.map(([before, secret]) => `${before} ${secret.text} `).join('') + last;
          const once = redactText(text);
          expect(redactText(once)).toBe(once);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('leaves ordinary text readable: no marker, nothing changed', () => {
    const ordinary = fc
      .string({
        unit: chars('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ,;:!?()-_\'"/'),
        maxLength: 120,
      })
      .filter((text) => !/bearer|basic|eyj|bwk_|brt_|akia|asia|::/i.test(text));
    const { redactText } = createRedactor();
    fc.assert(
      fc.property(ordinary, (text) => {
        expect(redactText(text)).toBe(text);
        expect(redactSensitive('message', text)).toBe(text);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps what makes a line useful: key ids, family ids, words and the structure around a secret', () => {
    const { redactText } = createRedactor();
    expect(
      redactText('key bwk_abcdefghijklmnopqrst:2F51JGKU__qY2mUyD0FIChjG4XR4c2r5_RgIG3KIRLU refused'),
    ).toBe(`key bwk_abcdefghijklmnopqrst:${REDACTED} refused`);
    expect(
      redactText('token brt_AAAAAAAAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB replayed'),
    ).toBe(`token brt_AAAAAAAAAAAAAAAAAAAAAA.${REDACTED} replayed`);
    expect(redactText('Authorization: Bearer abc.def-ghi')).toBe(`Authorization: Bearer ${REDACTED}`);
    expect(redactText('a basic idea, basic authentication')).toBe('a basic idea, basic authentication');
    expect(redactText('user alice@example.com failed')).toBe('user [REDACTED:email] failed');
    expect(redactText('key AKIAIOSFODNN7EXAMPLE leaked')).toBe(
      'key [REDACTED:aws-key-id] leaked'.replace('aws-key-id', 'aws-access-key-id'),
    );
    expect(redactText('at 12:00:00 on 2026-11-23, version 1.2.3')).toBe(
      'at 12:00:00 on 2026-11-23, version 1.2.3',
    );
  });
});

describe('IP addresses by policy', () => {
  const octet = fc.integer({ min: 0, max: 255 });
  const ipv4 = fc.tuple(octet, octet, octet, octet);
  const hextet = fc.integer({ min: 0, max: 0xffff }).map((group) => group.toString(16));
  const ipv6 = fc.array(hextet, { minLength: 8, maxLength: 8 });
  /** Addresses stand as addresses: whatever is around them is separated by a space. */
  const around = fc.string({ unit: chars('abcdefghijklmnopqrstuvwxyz ,;()[]='), maxLength: 20 });

  it('truncates IPv4 to its /24 and IPv6 to its /64 by default', () => {
    const { redactText } = createRedactor();
    fc.assert(
      fc.property(ipv4, around, around, ([a, b, c, d], before, after) => {
        const out = redactText(`${before} ${a}.${b}.${c}.${d} ${after}`);
        expect(out).toBe(`${before} ${a}.${b}.${c}.0/24 ${after}`);
      }),
    );
    fc.assert(
      fc.property(ipv6, around, around, (groups, before, after) => {
        const address = groups.join(':');
        const out = redactText(`${before} ${address} ${after}`);
        expect(out).toBe(`${before} ${groups.slice(0, 4).join(':')}::/64 ${after}`);
        // The interface identifier (the last 64 bits) is gone whenever it was not all zero.
        if (groups.slice(4).some((group) => group !== '0'))
          expect(out).not.toContain(groups.slice(4).join(':'));
      }),
    );
    expect(redactText('from 2001:db8::8a2e:370:7334 via ::ffff:198.51.100.7')).toBe(
      'from 2001:db8:0:0::/64 via 0:0:0:0::/64',
    );
  });

  it('truncates an IPv6 address to the same /64 whatever its notation: `::`, leading zeros, case', () => {
    const { redactText } = createRedactor();
    const group = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff }));
    const notation = fc.record({
      groups: fc.array(group, { minLength: 8, maxLength: 8 }),
      start: fc.nat(7),
      length: fc.integer({ min: 1, max: 8 }),
      padded: fc.boolean(),
      upper: fc.boolean(),
    });
    fc.assert(
      fc.property(notation, ({ groups, start, length, padded, upper }) => {
        const written = groups.map((value) => {
          const hex = value.toString(16).padStart(padded ? 4 : 1, '0');
          return upper ? hex.toUpperCase() : hex;
        });
        const end = Math.min(8, start + length);
        // `::` stands for a run of zero groups; an address of fewer than two written groups is left alone.
        const zeroRun = groups.slice(start, end).every((value) => value === 0);
        const address =
          zeroRun && 8 - (end - start) >= 2
            ? `${written.slice(0, start).join(':')}::${written.slice(end).join(':')}`
            : written.join(':');
        expect(redactText(`at ${address} now`)).toBe(
          `at ${groups
            .slice(0, 4)
            .map((value) => value.toString(16))
            .join(':')}::/64 now`,
        );
      }),
      { numRuns: 300 },
    );
  });

  it('removes addresses under `remove` and keeps them under `keep`', () => {
    const remove = createRedactor({ ipAddresses: 'remove' });
    const keep = createRedactor({ ipAddresses: 'keep' });
    fc.assert(
      fc.property(ipv4, ipv6, ([a, b, c, d], groups) => {
        const text = `client ${a}.${b}.${c}.${d} and ${groups.join(':')} seen`;
        expect(remove.redactText(text)).toBe('client [REDACTED:ip] and [REDACTED:ip] seen');
        expect(keep.redactText(text)).toBe(text);
      }),
    );
  });
});

describe('configured redaction', () => {
  it('redacts the configured API-key header by name and each extra pattern anywhere', () => {
    const { logger, logs } = (() => {
      const logger = createLogger('info', {
        apiKeyHeader: 'x-partner-credential',
        extraPatterns: [/acme_[0-9a-f]{32}/, /ORDER-\d{6}/],
      });
      return { logger, logs: captureLogs(logger) };
    })();
    const acme = `acme_${'0123456789abcdef'.repeat(2)}`;
    logger.info(`charged with ${acme} for ORDER-123456`, {
      headers: { 'X-Partner-Credential': 'plain-credential-value' },
      note: `inline ${acme}`,
    });
    const text = logs.text();
    expect(text).not.toContain(acme);
    expect(text).not.toContain('ORDER-123456');
    expect(text).not.toContain('plain-credential-value');
    expect(logs.entries()[0]).toMatchObject({
      message: `charged with ${REDACTED} for ${REDACTED}`,
      headers: { 'X-Partner-Credential': REDACTED },
    });
  });

  it('copies without following prototype keys and cuts what is nested too deep', () => {
    const { redactValue } = createRedactor();
    const parsed = JSON.parse('{"__proto__": {"polluted": true}, "a": {"b": {"c": "deep"}}}') as object;
    const copy = redactValue(parsed, 2) as Record<string, unknown>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(copy.a).toEqual({ b: '[TRUNCATED]' });
  });
});

describe('work proportional to the text', () => {
  // Every logged string passes about a dozen patterns, and a client chooses much of what is logged (a
  // header, a path). A pattern that rescans a run once per start position makes a long run quadratic:
  // 150 KB of one of these units then takes 40 s to minutes (the e-mail and JWT patterns once did), where
  // one scan takes tens of milliseconds. The bound sits a hundred times above the linear cost, so load
  // cannot trip it; a JavaScript regular expression cannot be interrupted, so only a clock can tell.
  const units = [
    'a',
    'a.',
    '1.',
    'a:',
    'f:',
    'eyJ',
    'eyJa.',
    'bwk_a',
    'brt_a.',
    'Bearer ',
    'AKIA',
    'a@',
    'a@a.',
    'x=',
    '"a":',
    '"password":',
    '\\"a\\":',
    'password="',
    '1.1.1.1.',
  ];

  it('redacts a long run of any secret shape without quadratic backtracking', { timeout: 120_000 }, () => {
    const { redactText } = createRedactor({ ipAddresses: 'truncate', pairs: redactPairs });
    for (const unit of units) {
      const text = unit.repeat(Math.ceil(150_000 / unit.length));
      const started = performance.now();
      redactText(text);
      expect(performance.now() - started, unit).toBeLessThan(10_000);
    }
  });
});
