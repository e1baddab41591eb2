/** requireTrustedHost on its own: entries parsed once when built, the Host header trimmed and matched. */
import { describe, expect, it } from 'vitest';
import { HostUntrustedError } from '../../../shared/errors/request-errors.js';
import { requireTrustedHost } from '../../../shared/middlewares/require-trusted-host.js';
import { rejectionOf } from '../../support/rejection-of.js';
import { secureRequestOf } from '../../support/secure-request-of.js';

const check = (trustedHosts: readonly string[], host: string | undefined) => {
  const { request } = secureRequestOf({ event: { headers: host === undefined ? {} : { host } } });
  return Promise.resolve().then(() => requireTrustedHost({ trustedHosts }).before?.(request));
};

describe('requireTrustedHost', () => {
  it('refuses, when built, an entry that is not a host, naming it', () => {
    expect(() => requireTrustedHost({ trustedHosts: ['api.example.com', 'not a host'] })).toThrow(
      'trusted host entry is not a host: not a host',
    );
  });

  it('trusts a Host header that matches an entry, spaces around it ignored', async () => {
    await expect(check(['api.example.com'], 'api.example.com')).resolves.toBeUndefined();
    await expect(check(['api.example.com'], '  API.example.com:443 ')).resolves.toBeUndefined();
    await expect(check(['*.example.com'], 'eu.api.example.com')).resolves.toBeUndefined();
  });

  it('refuses a host matching no entry, a malformed one and a missing one with 400', async () => {
    for (const host of ['evil.example', 'api.example.com/x', undefined]) {
      expect(await rejectionOf(check(['api.example.com'], host))).toBeInstanceOf(HostUntrustedError);
    }
  });

  it('checks nothing when no host is configured', async () => {
    await expect(check([], undefined)).resolves.toBeUndefined();
    await expect(check([], 'anything at all')).resolves.toBeUndefined();
  });
});
