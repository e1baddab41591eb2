import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import type { TrustedHostPattern } from '../../../shared/http/trusted-host.js';
import { importFresh } from '../../support/import-fresh.js';

type HostModule = typeof import('../../../shared/http/trusted-host.js');
// Loaded afresh for each test, so the label and port patterns (module constants) are mutation-tested too.
let isTrustedHost: HostModule['isTrustedHost'];
let parseHost: HostModule['parseHost'];
let parseTrustedHostPattern: HostModule['parseTrustedHostPattern'];
beforeEach(async () => {
  ({ isTrustedHost, parseHost, parseTrustedHostPattern } = await importFresh<HostModule>(
    new URL('../../../shared/http/trusted-host.js', import.meta.url),
  ));
});

const pattern = (entry: string): TrustedHostPattern => {
  const parsed = parseTrustedHostPattern(entry);
  if (parsed === undefined) throw new TypeError(`not a pattern: ${entry}`);
  return parsed;
};

const trusts = (entry: string, host: string): boolean => {
  const parsed = parseHost(host);
  return parsed !== undefined && isTrustedHost(parsed, pattern(entry));
};

describe('parseHost', () => {
  it('splits a name and a port and lowercases the name', () => {
    expect(parseHost('API.Example.com:8443')).toEqual({ hostname: 'api.example.com', port: 8443 });
    expect(parseHost('api.example.com')).toEqual({ hostname: 'api.example.com', port: undefined });
  });

  it('accepts IPv4 and bracketed IPv6 addresses, with or without a port', () => {
    expect(parseHost('127.0.0.1:3000')).toEqual({ hostname: '127.0.0.1', port: 3000 });
    expect(parseHost('[::1]:3000')).toEqual({ hostname: '::1', port: 3000 });
    expect(parseHost('[2001:DB8::1]')).toEqual({ hostname: '2001:db8::1', port: undefined });
  });

  it('drops the one trailing dot of a fully qualified name', () => {
    expect(parseHost('api.example.com.')?.hostname).toBe('api.example.com');
    expect(parseHost('api.example.com..')).toBeUndefined();
  });

  it('accepts a name of up to 253 characters, each label up to 63', () => {
    const label63 = 'a'.repeat(63);
    const longest = `${label63}.${label63}.${label63}.${'b'.repeat(61)}`;
    expect(longest).toHaveLength(253);
    expect(parseHost(longest)).toEqual({ hostname: longest, port: undefined });
    expect(parseHost(`${longest}.`)).toEqual({ hostname: longest, port: undefined });
    expect(parseHost(`${longest}b`)).toBeUndefined();
    expect(parseHost(`${'c'.repeat(2)}-${'d'.repeat(2)}.example`)).toEqual({
      hostname: 'cc-dd.example',
      port: undefined,
    });
  });

  it('accepts single-character labels and digits anywhere in a label', () => {
    expect(parseHost('a.b.c')).toEqual({ hostname: 'a.b.c', port: undefined });
    expect(parseHost('1a.b2.3-4')).toEqual({ hostname: '1a.b2.3-4', port: undefined });
  });

  it('accepts ports of one to five digits', () => {
    expect(parseHost('a.example:8')?.port).toBe(8);
    expect(parseHost('a.example:80')?.port).toBe(80);
    expect(parseHost('a.example:10000')?.port).toBe(10_000);
    expect(parseHost('a.example:100000')).toBeUndefined();
    expect(parseHost('a.example:8x')).toBeUndefined();
    expect(parseHost('a.example:x8')).toBeUndefined();
  });

  it('accepts ports 1 and 65535 and nothing outside them', () => {
    expect(parseHost('a.example:1')?.port).toBe(1);
    expect(parseHost('a.example:65535')?.port).toBe(65_535);
    for (const port of ['0', '65536', '99999', '00080', '+80', '-1', '8 0', '']) {
      expect(parseHost(`a.example:${port}`), port).toBeUndefined();
    }
  });

  it('refuses port spellings that Number() would read as a port: exponent, decimal, surrounding whitespace', () => {
    for (const port of ['8e1', '80.0', '80.', '80 ', '80\t', '80\n', ' 80']) {
      expect(parseHost(`a.example:${port}`), JSON.stringify(port)).toBeUndefined();
      expect(parseHost(`[::1]:${port}`), JSON.stringify(port)).toBeUndefined();
    }
  });

  it.each([
    'evil.example/.example.com',
    'evil#.example.com',
    'evil?.example.com',
    'user@api.example.com',
    'a..example.com',
    '.example.com',
    'a_b.example.com',
    '-a.example.com',
    'a-.example.com',
    `${'a'.repeat(64)}.example.com`,
    `${'a.'.repeat(127)}com`,
    '[::1',
    '[not-an-address]',
    '[::1]x',
    '[::1]x80',
    '[::1]:0',
    '[::1]:',
    '[192.0.2.1]',
    '[192.0.2.1]:80',
    '::1',
    '',
    ':80',
    '[',
    '[]',
    'exa mple.com',
  ])('refuses %j', (value) => {
    expect(parseHost(value)).toBeUndefined();
  });
});

describe('isTrustedHost', () => {
  it('matches an exact entry on the whole name only', () => {
    expect(trusts('api.example.com', 'api.example.com')).toBe(true);
    expect(trusts('api.example.com', 'api.example.com:443')).toBe(true);
    expect(trusts('api.example.com', 'x.api.example.com')).toBe(false);
    expect(trusts('api.example.com', 'api.example.co')).toBe(false);
  });

  it('matches a wildcard entry label by label, at any depth, never the bare suffix', () => {
    expect(trusts('*.example.com', 'a.example.com')).toBe(true);
    expect(trusts('*.example.com', 'a.b.example.com')).toBe(true);
    expect(trusts('*.example.com', 'example.com')).toBe(false);
    expect(trusts('*.example.com', 'evilexample.com')).toBe(false);
    expect(trusts('*.example.com', 'a.example.com.evil')).toBe(false);
  });

  it('requires the entry port when the entry names one', () => {
    expect(trusts('api.example.com:8443', 'api.example.com:8443')).toBe(true);
    expect(trusts('api.example.com:8443', 'api.example.com')).toBe(false);
    expect(trusts('*.example.com:8443', 'a.example.com:443')).toBe(false);
  });

  it('never trusts, through a wildcard, a string that is not a name of valid labels ending in the suffix', () => {
    const entry = pattern('*.example.com');
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...'ab-_.:/#@[]1 '.split('')), maxLength: 20 }),
        (prefix) => {
          const value = `${prefix}.example.com`;
          const parsed = parseHost(value);
          if (parsed === undefined || !isTrustedHost(parsed, entry)) return;
          const labels = parsed.hostname.split('.');
          expect(labels.slice(-2)).toEqual(['example', 'com']);
          expect(labels.length).toBeGreaterThan(2);
          for (const part of labels) expect(part).toMatch(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/);
        },
      ),
    );
  });
});

describe('parseTrustedHostPattern', () => {
  it('refuses a wildcard over an address and entries that are not hosts', () => {
    for (const entry of [
      '*.10.0.0.1',
      '*.[::1]',
      '*.[2001:db8::1]',
      '*',
      '*.',
      'a..b',
      'https://a.example',
      'a.example:0',
    ]) {
      expect(parseTrustedHostPattern(entry), entry).toBeUndefined();
    }
  });

  it('refuses a wildcard whose suffix ends in a numeric label: it could only ever match IPv4 addresses', () => {
    for (const entry of ['*.2.3.4', '*.0.1', '*.4', '*.example.123']) {
      expect(parseTrustedHostPattern(entry), entry).toBeUndefined();
    }
    expect(parseTrustedHostPattern('*.example.com')).toBeDefined();
    expect(parseTrustedHostPattern('*.123.example.com')).toBeDefined();
  });
});

describe('an IPv4 host and wildcards', () => {
  it('never trusts an IPv4 address through a wildcard, even one whose suffix its last labels spell', () => {
    const numericSuffix: TrustedHostPattern = { wildcard: true, hostname: '2.3.4', port: undefined };
    const host = parseHost('1.2.3.4');
    expect(host).toEqual({ hostname: '1.2.3.4', port: undefined });
    expect(isTrustedHost(host as NonNullable<typeof host>, numericSuffix)).toBe(false);
    // A name that merely starts with digits is still a name.
    expect(isTrustedHost({ hostname: '1.2.3.4.example', port: undefined }, pattern('*.example'))).toBe(true);
  });
});
