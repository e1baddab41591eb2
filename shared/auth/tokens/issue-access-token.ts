import { SignJWT } from 'jose';
import type { Clock } from '../../domain/clock.js';
import { assertSessionId } from '../../domain/sessions/refresh-token.js';
import { roles as knownRoles, type Role } from '../../domain/users/user.js';
import { ACCESS_TOKEN_TYPE, type AccessTokenSettings, accessTokenSettings } from './access-token-settings.js';
import { SIGNING_ALGORITHM, type SigningKeySet } from './signing-key-set.js';

export interface AccessTokenSubject {
  /** The user id (`sub`). */
  readonly subject: string;
  /** The session id (`sid`). */
  readonly sessionId: string;
  readonly username: string;
  readonly roles: readonly Role[];
}

export interface IssuedAccessToken {
  readonly token: string;
  readonly tokenType: 'Bearer';
  readonly expiresInSeconds: number;
  /** The `jti`. */
  readonly tokenId: string;
  readonly expiresAtMs: number;
}

export interface AccessTokenIssuer {
  readonly issue: (subject: AccessTokenSubject) => Promise<IssuedAccessToken>;
}

export interface AccessTokenIssuerOptions {
  /** The current key set; called per token, so it should be cheap (cached secret, memoised import). */
  readonly keys: () => Promise<SigningKeySet>;
  readonly settings: AccessTokenSettings;
  readonly clock: Clock;
  /** A fresh, unguessable id for `jti` (for example `crypto.randomUUID`). */
  readonly newId: () => string;
}

const requireText = (value: unknown, name: string): string => {
  if (typeof value !== 'string' || value.length === 0 || value.length > 256) {
    throw new TypeError(`${name} must be a string of 1 to 256 characters`);
  }
  return value;
};

const requireRoles = (value: readonly Role[]): Role[] => {
  if (
    !Array.isArray(value) ||
    value.some((role) => !knownRoles.includes(role)) ||
    new Set(value).size !== value.length
  ) {
    throw new TypeError(`roles must be distinct values among ${knownRoles.join(', ')}`);
  }
  return [...value];
};

/**
 * Signs access tokens with the current Ed25519 key: header `{ alg: 'EdDSA', kid, typ: 'at+jwt' }`,
 * claims iss, aud, sub, jti, sid, iat, exp, username and roles, times from the injected clock.
 * Invalid input is a caller mistake (TypeError); the claims are built here, so a caller cannot set
 * a registered claim.
 */
export const createAccessTokenIssuer = (options: AccessTokenIssuerOptions): AccessTokenIssuer => {
  const settings = accessTokenSettings(options.settings);
  const { keys, clock, newId } = options;
  return {
    issue: async (input) => {
      const subject = requireText(input.subject, 'subject');
      // The verifier refuses any other shape, so issuing one would mint a token that cannot be used.
      const sessionId = assertSessionId(input.sessionId);
      const username = requireText(input.username, 'username');
      const roles = requireRoles(input.roles);
      const tokenId = requireText(newId(), 'newId()');
      const { current } = await keys();
      const issuedAt = Math.floor(clock.nowMs() / 1000);
      const expiresAt = issuedAt + settings.lifetimeSeconds;
      const token = await new SignJWT({ sid: sessionId, username, roles })
        .setProtectedHeader({ alg: SIGNING_ALGORITHM, kid: current.kid, typ: ACCESS_TOKEN_TYPE })
        .setIssuer(settings.issuer)
        .setAudience(settings.audience)
        .setSubject(subject)
        .setJti(tokenId)
        .setIssuedAt(issuedAt)
        .setExpirationTime(expiresAt)
        .sign(current.privateKey);
      if (token.length > settings.maxTokenBytes) {
        // The verifier would refuse it: fail here, where the cause is visible.
        throw new RangeError(`the access token is ${token.length} bytes, over maxTokenBytes`);
      }
      return {
        token,
        tokenType: 'Bearer',
        expiresInSeconds: settings.lifetimeSeconds,
        tokenId,
        expiresAtMs: expiresAt * 1000,
      };
    },
  };
};
