import { type AccessTokenSettings, accessTokenSettings } from '../auth/tokens/access-token-settings.js';
import { perRuntime } from './per-runtime.js';

/** Issuer, audience and lifetime of access tokens, from JWT_ISSUER, JWT_AUDIENCE, ACCESS_TOKEN_TTL_SECONDS. */
export const accessTokenSettingsFor = perRuntime(
  ({ config }): AccessTokenSettings =>
    accessTokenSettings({
      issuer: config.tokens.issuer,
      audience: config.tokens.audience,
      lifetimeSeconds: config.tokens.accessTokenTtlSeconds,
    }),
);
