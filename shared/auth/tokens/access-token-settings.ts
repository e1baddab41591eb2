import * as z from 'zod/mini';
import { ConfigurationError } from '../../errors/configuration-error.js';
import { describeIssue } from '../../errors/field-errors.js';

/** The `typ` header of every access token (RFC 9068 section 2.1). */
export const ACCESS_TOKEN_TYPE = 'at+jwt';

export interface AccessTokenSettings {
  /** `iss` of every token, compared exactly on verification. */
  readonly issuer: string;
  /** `aud` of every token: the API the token is for. */
  readonly audience: string;
  /** From issue to `exp`. Minutes, not hours: an access token is not revocable by itself. */
  readonly lifetimeSeconds: number;
  /** Leeway for clock skew between issuer and verifier, on `exp`, `nbf` and `iat`. */
  readonly clockToleranceSeconds: number;
  /** Longest token (in bytes) the verifier will parse; anything longer is refused before any work. */
  readonly maxTokenBytes: number;
}

export type AccessTokenSettingsInput = Pick<AccessTokenSettings, 'issuer' | 'audience'> &
  Partial<Omit<AccessTokenSettings, 'issuer' | 'audience'>>;

export const LIFETIME_SECONDS_MIN = 60;
export const LIFETIME_SECONDS_MAX = 3600;
export const CLOCK_TOLERANCE_SECONDS_MAX = 5;

/** Issuer and audience have no default: a default would hide a missing value. */
export const defaultAccessTokenSettings = Object.freeze({
  lifetimeSeconds: 600,
  clockToleranceSeconds: 5,
  maxTokenBytes: 4096,
}) satisfies Omit<AccessTokenSettings, 'issuer' | 'audience'>;

const settingsSchema = z.strictObject({
  issuer: z.string().check(z.minLength(1), z.maxLength(256)),
  audience: z.string().check(z.minLength(1), z.maxLength(256)),
  lifetimeSeconds: z.int().check(z.gte(LIFETIME_SECONDS_MIN), z.lte(LIFETIME_SECONDS_MAX)),
  clockToleranceSeconds: z.int().check(z.gte(0), z.lte(CLOCK_TOLERANCE_SECONDS_MAX)),
  maxTokenBytes: z.int().check(z.gte(512), z.lte(16_384)),
});

/**
 * Fills the defaults and checks every bound once, when the issuer or verifier is built. A bad value is
 * a deployment mistake, so it fails at cold start naming the setting.
 */
export const accessTokenSettings = (input: AccessTokenSettingsInput): AccessTokenSettings => {
  const result = settingsSchema.safeParse({
    ...input,
    lifetimeSeconds: input.lifetimeSeconds ?? defaultAccessTokenSettings.lifetimeSeconds,
    clockToleranceSeconds: input.clockToleranceSeconds ?? defaultAccessTokenSettings.clockToleranceSeconds,
    maxTokenBytes: input.maxTokenBytes ?? defaultAccessTokenSettings.maxTokenBytes,
  });
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue?.path.map(String).join('.') ?? '';
    throw new ConfigurationError(
      `accessTokenSettings.${path}`,
      issue === undefined ? 'is not valid' : describeIssue(issue),
    );
  }
  return Object.freeze(result.data);
};
