/**
 * Shared fixtures for the access-token tests: key sets built from freshly generated Ed25519 keys, the
 * settings, an issuer and verifier on a manual clock, and a raw signer that writes any header and
 * payload (jose's signers refuse some of the headers the forgery tests need).
 */
import { createPrivateKey, sign } from 'node:crypto';
import { expect } from 'vitest';
import {
  AccessTokenInvalidError,
  type AccessTokenInvalidReason,
} from '../../../../shared/auth/tokens/access-token-invalid-error.js';
import {
  type AccessTokenSettings,
  accessTokenSettings,
} from '../../../../shared/auth/tokens/access-token-settings.js';
import type { AccessTokenIssuer } from '../../../../shared/auth/tokens/issue-access-token.js';
import {
  generateSigningKey,
  type PrivateSigningJwk,
  parseSigningKeySet,
  type SigningKeySet,
} from '../../../../shared/auth/tokens/signing-key-set.js';
import type { AccessTokenVerifier } from '../../../../shared/auth/tokens/verify-access-token.js';
import { importFresh } from '../../../support/import-fresh.js';
import { rejectionOf } from '../../../support/rejection-of.js';
import { type ManualClock, manualClock } from '../../../support/test-runtime.js';

export const SECRET_NAME = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:bulwark/signing-keys-AbCdEf';

export interface GeneratedKey {
  readonly kid: string;
  readonly privateJwk: PrivateSigningJwk;
}

export const settings: AccessTokenSettings = accessTokenSettings({
  issuer: 'https://auth.bulwark.test',
  audience: 'https://api.bulwark.test',
});

/** Three keys for the whole run: generating is cheap, but identical keys across tests keep them readable. */
export const keyA: GeneratedKey = await generateSigningKey('key-2026-11-a');
export const keyB: GeneratedKey = await generateSigningKey('key-2026-11-b');
export const keyC: GeneratedKey = await generateSigningKey('key-2026-11-c');

export const secretOf = (current: GeneratedKey, previous?: GeneratedKey): Record<string, unknown> => ({
  current: { kid: current.kid, privateJwk: { ...current.privateJwk } },
  ...(previous === undefined
    ? {}
    : {
        previous: { kid: previous.kid, publicJwk: { kty: 'OKP', crv: 'Ed25519', x: previous.privateJwk.x } },
      }),
});

export const keySetOf = (current: GeneratedKey, previous?: GeneratedKey): Promise<SigningKeySet> =>
  parseSigningKeySet(secretOf(current, previous), SECRET_NAME);

export interface TokenHarness {
  readonly clock: ManualClock;
  readonly issuer: AccessTokenIssuer;
  readonly verifier: AccessTokenVerifier;
  /** Replaces the key set both sides use, as a rotation of the secret would. */
  readonly useKeys: (set: SigningKeySet) => void;
  /** How many times the verifier or issuer asked for the keys. */
  readonly keyLoads: () => number;
}

type IssueModule = typeof import('../../../../shared/auth/tokens/issue-access-token.js');
type VerifyModule = typeof import('../../../../shared/auth/tokens/verify-access-token.js');

/**
 * The issuer's and the verifier's modules, loaded afresh for every harness: their constants (the token
 * shape, the allowed header parameters, the claim schema) are then mutation-tested by every test that
 * uses a harness (test/support/import-fresh.ts).
 */
export const freshTokenModules = async (): Promise<{
  readonly createAccessTokenIssuer: IssueModule['createAccessTokenIssuer'];
  readonly createAccessTokenVerifier: VerifyModule['createAccessTokenVerifier'];
}> => {
  const issue = await importFresh<IssueModule>(
    new URL('../../../../shared/auth/tokens/issue-access-token.js', import.meta.url),
  );
  const verify = await importFresh<VerifyModule>(
    new URL('../../../../shared/auth/tokens/verify-access-token.js', import.meta.url),
  );
  return {
    createAccessTokenIssuer: issue.createAccessTokenIssuer,
    createAccessTokenVerifier: verify.createAccessTokenVerifier,
  };
};

export const harness = async (
  overrides: Partial<AccessTokenSettings> = {},
  initial?: SigningKeySet,
): Promise<TokenHarness> => {
  let set = initial ?? (await keySetOf(keyA));
  let loads = 0;
  let nextId = 0;
  const clock = manualClock();
  const keys = async (): Promise<SigningKeySet> => {
    loads += 1;
    return set;
  };
  const merged = accessTokenSettings({ ...settings, ...overrides });
  const { createAccessTokenIssuer, createAccessTokenVerifier } = await freshTokenModules();
  return {
    clock,
    issuer: createAccessTokenIssuer({
      keys,
      settings: merged,
      clock,
      newId: () => {
        nextId += 1;
        return `tok-${nextId}`;
      },
    }),
    verifier: createAccessTokenVerifier({ keys, settings: merged, clock }),
    useKeys: (next) => {
      set = next;
    },
    keyLoads: () => loads,
  };
};

export const alice = {
  subject: 'user-0001',
  sessionId: 'c2Vzc2lvbi0wMDAxLWFiYw',
  username: 'alice',
  roles: ['user'],
} as const;

const base64url = (value: unknown): string =>
  Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

export const nowSeconds = (clock: ManualClock): number => Math.floor(clock.nowMs() / 1000);

/** A header and claims exactly like the issuer's, for forgeries to start from. */
export const validHeader = (kid: string): Record<string, unknown> => ({ alg: 'EdDSA', kid, typ: 'at+jwt' });

export const validClaims = (clock: ManualClock): Record<string, unknown> => ({
  sid: 'c2Vzc2lvbi0wMDAxLWFiYw',
  username: 'alice',
  roles: ['user'],
  iss: settings.issuer,
  aud: settings.audience,
  sub: 'user-0001',
  jti: 'tok-forged',
  iat: nowSeconds(clock),
  exp: nowSeconds(clock) + settings.lifetimeSeconds,
});

/** Signs `header.payload` with Ed25519 through node:crypto, whatever the header says. */
export const signRaw = (header: unknown, payload: unknown, key: GeneratedKey): string => {
  const signingInput = `${base64url(header)}.${base64url(payload)}`;
  const privateKey = createPrivateKey({ key: { ...key.privateJwk }, format: 'jwk' });
  const signature = sign(null, Buffer.from(signingInput, 'ascii'), privateKey).toString('base64url');
  return `${signingInput}.${signature}`;
};

/** An unsigned token: any header and payload, the signature segment as given (default empty). */
export const unsigned = (header: unknown, payload: unknown, signature = ''): string =>
  `${base64url(header)}.${base64url(payload)}.${signature}`;

export { rejectionOf };

export const expectRejected = async (
  verifier: AccessTokenVerifier,
  token: string,
  reason: AccessTokenInvalidReason,
): Promise<AccessTokenInvalidError> => {
  const error = await rejectionOf(verifier.verify(token));
  expect(error).toBeInstanceOf(AccessTokenInvalidError);
  const invalid = error as AccessTokenInvalidError;
  expect(invalid.reason).toBe(reason);
  return invalid;
};
