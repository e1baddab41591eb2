import { type CryptoKey, errors, jwtVerify } from 'jose';
import * as z from 'zod/mini';
import type { Clock } from '../../domain/clock.js';
import { isSessionId } from '../../domain/sessions/refresh-token.js';
import { roles as knownRoles } from '../../domain/users/user.js';
import type { AccessTokenClaims } from './access-token-claims.js';
import { AccessTokenInvalidError, type AccessTokenInvalidReason } from './access-token-invalid-error.js';
import { ACCESS_TOKEN_TYPE, type AccessTokenSettings, accessTokenSettings } from './access-token-settings.js';
import { SIGNING_ALGORITHM } from './signing-key-set.js';
import type { VerificationKeySet } from './verification-key-set.js';

export interface AccessTokenVerifier {
  /** The token's claims, or AccessTokenInvalidError. Failures to load the keys propagate unchanged. */
  readonly verify: (token: string) => Promise<AccessTokenClaims>;
}

export interface AccessTokenVerifierOptions {
  /**
   * The public keys (current and previous, or the next and current during a rotation); called per token,
   * so it should be cheap (cached, memoised import). Public keys only: a verifier never needs to sign.
   */
  readonly keys: () => Promise<VerificationKeySet>;
  readonly settings: AccessTokenSettings;
  readonly clock: Clock;
  /**
   * Re-reads the key set past its cache. Called when a token names an unknown kid, at most once per
   * `refreshIntervalMs`, so tokens signed right after a rotation verify at once while forged kids
   * cannot make every request fetch the secret.
   */
  readonly refreshKeys?: () => Promise<VerificationKeySet>;
  readonly refreshIntervalMs?: number;
}

/** Three unpadded base64url segments. The signature may be empty here so `alg: none` is named as such. */
const compactShape = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** Exactly what the issuer writes. Anything else is refused, so no header can steer verification. */
const allowedHeaderParameters = new Set(['alg', 'kid', 'typ']);

/** Parameters that point at or carry a key: honouring any of them lets the token choose its own key. */
const keyReferenceParameters = new Set(['jku', 'x5u', 'jwk', 'x5c', 'x5t', 'x5t#S256']);

const ed25519SignatureBytes = 64;

const utf8 = new TextDecoder('utf-8', { fatal: true });

const reject = (reason: AccessTokenInvalidReason, cause?: unknown): never => {
  throw new AccessTokenInvalidError(reason, cause === undefined ? {} : { cause });
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const decodeHeader = (segment: string): Record<string, unknown> => {
  try {
    const header: unknown = JSON.parse(utf8.decode(Buffer.from(segment, 'base64url')));
    if (isRecord(header)) return header;
  } catch {
    // falls through to the rejection below
  }
  return reject('malformed');
};

/** RFC 8725 section 3.11: `at+jwt` or its full media type, compared case-insensitively. */
const isAccessTokenType = (typ: unknown): boolean => {
  if (typeof typ !== 'string') return false;
  const lower = typ.toLowerCase();
  return lower === ACCESS_TOKEN_TYPE || lower === `application/${ACCESS_TOKEN_TYPE}`;
};

/**
 * Base64url decoders ignore the unused low bits of the last character, so 16 spellings of one Ed25519
 * signature verify. Only the canonical one is accepted: a token has exactly one valid spelling.
 */
const isCanonicalSignature = (segment: string): boolean => {
  const bytes = Buffer.from(segment, 'base64url');
  return bytes.length === ed25519SignatureBytes && bytes.toString('base64url') === segment;
};

/** Header checks that need no key and no crypto; they throw on the first failure. */
const checkHeader = (header: Record<string, unknown>): void => {
  if (header.alg !== SIGNING_ALGORITHM) reject('alg_not_allowed');
  if (Object.hasOwn(header, 'crit')) reject('crit');
  for (const name of Object.keys(header)) {
    if (keyReferenceParameters.has(name) || !allowedHeaderParameters.has(name)) reject('forbidden_header');
  }
  if (!isAccessTokenType(header.typ)) reject('typ');
};

const text = z.string().check(z.minLength(1), z.maxLength(256));

const payloadSchema = z
  .object({
    sub: text,
    // Logout and revocation key on the session id; a token naming anything else is not one of ours.
    sid: z.string().check(z.refine(isSessionId)),
    jti: text,
    username: text,
    roles: z.array(z.enum(knownRoles)).check(
      z.maxLength(knownRoles.length),
      z.refine((list) => new Set(list).size === list.length),
    ),
    iat: z.int().check(z.nonnegative()),
    exp: z.int().check(z.positive()),
  })
  .check(z.refine((claims) => claims.exp > claims.iat));

/** Claims other issuers use to say what a JWT is for. Ours carry none; a refresh or ID token is refused. */
const declaresAnotherUse = (payload: Record<string, unknown>): boolean => {
  if (Object.hasOwn(payload, 'token_use') && payload.token_use !== 'access') return true;
  return ['typ', 'token_type', 'type'].some(
    (claim) =>
      Object.hasOwn(payload, claim) &&
      (typeof payload[claim] !== 'string' || /refresh/i.test(String(payload[claim]))),
  );
};

const reasonOfJoseError = (error: unknown): AccessTokenInvalidReason | undefined => {
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === 'missing') return 'claims';
    switch (error.claim) {
      case 'iss':
        return 'issuer';
      case 'aud':
        return 'audience';
      case 'typ':
        return 'typ';
      case 'nbf':
        return 'not_yet_valid';
      case 'iat':
        // check_failed here means an `iat` in the future; a missing or non-numeric one is a claims error.
        return error.reason === 'check_failed' ? 'not_yet_valid' : 'claims';
      default:
        return 'claims';
    }
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'signature';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'alg_not_allowed';
  if (error instanceof errors.JOSENotSupported) return 'crit';
  if (error instanceof errors.JOSEError) return 'malformed';
  return undefined;
};

/**
 * Verifies Bulwark access tokens (ADR 0006). Cheap structural checks run before any key lookup or
 * crypto: size, shape, then the protected header (alg EdDSA only, typ at+jwt, no crit, no key-bearing
 * or unknown parameters), then the kid against the current and previous keys. jose then checks the
 * signature and the registered claims against the injected clock; zod checks the rest of the payload.
 */
export const createAccessTokenVerifier = (options: AccessTokenVerifierOptions): AccessTokenVerifier => {
  const settings = accessTokenSettings(options.settings);
  const { keys, clock } = options;
  const requiredClaims = ['exp', 'iat', 'sub', 'jti', 'sid'];
  const refreshIntervalMs = options.refreshIntervalMs ?? 30_000;
  let lastRefreshMs = Number.NEGATIVE_INFINITY;
  const keyFor = async (kid: unknown): Promise<CryptoKey | undefined> => {
    if (typeof kid !== 'string') return undefined;
    const known = (await keys()).verificationKey(kid);
    if (known !== undefined || options.refreshKeys === undefined) return known;
    const nowMs = clock.nowMs();
    if (nowMs - lastRefreshMs < refreshIntervalMs) return undefined;
    lastRefreshMs = nowMs;
    return (await options.refreshKeys()).verificationKey(kid);
  };
  return {
    verify: async (token) => {
      if (typeof token !== 'string') return reject('malformed');
      if (token.length > settings.maxTokenBytes) return reject('too_large');
      // The shape admits ASCII only, so from here characters and bytes are the same count.
      if (!compactShape.test(token)) return reject('malformed');
      const [headerSegment = '', , signatureSegment = ''] = token.split('.');
      const header = decodeHeader(headerSegment);
      checkHeader(header);
      if (!isCanonicalSignature(signatureSegment)) return reject('signature');

      const key = await keyFor(header.kid);
      if (key === undefined) return reject('unknown_kid');

      let payload: Record<string, unknown>;
      try {
        ({ payload } = await jwtVerify(token, key, {
          algorithms: [SIGNING_ALGORITHM],
          typ: ACCESS_TOKEN_TYPE,
          issuer: settings.issuer,
          audience: settings.audience,
          requiredClaims,
          clockTolerance: settings.clockToleranceSeconds,
          // jose subtracts the tolerance from the age itself, so this allows lifetime + tolerance.
          maxTokenAge: settings.lifetimeSeconds,
          currentDate: new Date(clock.nowMs()),
        }));
      } catch (error) {
        const reason = reasonOfJoseError(error);
        if (reason === undefined) throw error;
        return reject(reason, error);
      }

      if (declaresAnotherUse(payload)) return reject('token_use');
      const claims = payloadSchema.safeParse(payload);
      if (!claims.success) return reject('claims');
      const { sub, sid, jti, username, roles, iat, exp } = claims.data;
      return Object.freeze({ sub, sid, jti, username, roles: Object.freeze(roles), iat, exp });
    },
  };
};
