import {
  freshVerificationKeySetFrom,
  verificationKeySetFrom,
} from '../auth/tokens/load-verification-key-set.js';
import {
  assertProductionVerificationKeys,
  type VerificationKeySet,
} from '../auth/tokens/verification-key-set.js';
import { secretDefinitions } from '../resources/secret-definitions.js';
import { perRuntime } from './per-runtime.js';
import { requireSetting } from './require-setting.js';

export interface VerificationKeysCapability {
  /** Through the secret cache. */
  readonly current: () => Promise<VerificationKeySet>;
  /** Past the cache, for a token that names a kid the cached set does not know. */
  readonly fresh: () => Promise<VerificationKeySet>;
  /** Cold start: loads the public keys (warming the cache); production refuses development keys. */
  readonly ready: () => Promise<void>;
}

/**
 * The public keys that verify access tokens, from the verification-key secret: what verifiers and the
 * JWKS route read. A function that verifies never holds, or may read, the key that signs (ADR 0006).
 */
export const verificationKeysFor = perRuntime((runtime): VerificationKeysCapability => {
  const variable = secretDefinitions.jwtVerificationKeys.environmentVariable;
  const secretId = requireSetting(variable, runtime.config.tokens.verificationSecretArn);
  const current = verificationKeySetFrom(runtime.secretStore, secretId);
  return {
    current,
    fresh: freshVerificationKeySetFrom(runtime.secretStore, secretId),
    ready: async () => {
      const set = await current();
      if (runtime.config.environment === 'production') assertProductionVerificationKeys(set, variable);
    },
  };
});
