import { type AccessTokenIssuer, createAccessTokenIssuer } from '../auth/tokens/issue-access-token.js';
import { signingKeySetFrom } from '../auth/tokens/load-signing-key-set.js';
import { assertProductionSigningKeys } from '../auth/tokens/signing-key-set.js';
import { secretDefinitions } from '../resources/secret-definitions.js';
import { accessTokenSettingsFor } from './access-token-settings-for.js';
import { perRuntime } from './per-runtime.js';
import { requireSetting } from './require-setting.js';

export interface TokenIssuerCapability {
  readonly issuer: AccessTokenIssuer;
  /** Cold start: loads the private signing keys (warming the cache); production refuses development keys. */
  readonly ready: () => Promise<void>;
}

/**
 * Signs access tokens with the private key set. Only the issuing functions (login, refresh-token) have
 * JWT_SIGNING_SECRET_ARN and the grant to read it (ADR 0006).
 */
export const tokenIssuerFor = perRuntime((runtime): TokenIssuerCapability => {
  const variable = secretDefinitions.jwtSigningKeys.environmentVariable;
  const keys = signingKeySetFrom(
    runtime.secretStore,
    requireSetting(variable, runtime.config.tokens.signingSecretArn),
  );
  return {
    issuer: createAccessTokenIssuer({
      keys,
      settings: accessTokenSettingsFor(runtime),
      clock: runtime.clock,
      newId: runtime.newId,
    }),
    ready: async () => {
      const set = await keys();
      if (runtime.config.environment === 'production') assertProductionSigningKeys(set, variable);
    },
  };
});
