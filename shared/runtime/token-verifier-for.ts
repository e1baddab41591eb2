import { type AccessTokenVerifier, createAccessTokenVerifier } from '../auth/tokens/verify-access-token.js';
import { accessTokenSettingsFor } from './access-token-settings-for.js';
import { perRuntime } from './per-runtime.js';
import { verificationKeysFor } from './verification-keys-for.js';

/** Verifies access tokens with the public keys, re-reading them past the cache on an unknown kid. */
export const tokenVerifierFor = perRuntime((runtime): AccessTokenVerifier => {
  const keys = verificationKeysFor(runtime);
  return createAccessTokenVerifier({
    keys: keys.current,
    refreshKeys: keys.fresh,
    settings: accessTokenSettingsFor(runtime),
    clock: runtime.clock,
  });
});
