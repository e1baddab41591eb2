/**
 * Secrets Manager secrets as plain data, shared by the CDK data stack and the local stack.
 * Each secret is a JSON object; `jsonKey` names the field that holds the credential.
 */
export interface SecretDefinition {
  readonly id: SecretId;
  readonly environmentVariable: string;
  /**
   * `random-string`: a generated string in field `jsonKey`. `signing-key-set`: an Ed25519 key set
   * `{ current, previous? }` that Secrets Manager cannot generate; it is written by the signing-key
   * rotation function (or `npm run keys:signing` by hand) before the functions can start.
   * `verification-key-set`: the public halves of a signing-key set as a JWKS document `{ keys }`, written
   * by the same rotation (ADR 0011); it starts as the same uninitialised marker.
   */
  readonly content:
    | { readonly kind: 'random-string'; readonly jsonKey: string }
    | { readonly kind: 'signing-key-set' }
    | { readonly kind: 'verification-key-set' };
  readonly description: string;
}

export type SecretId = 'jwtSigningKeys' | 'jwtVerificationKeys' | 'apiKeyPepper';

export const secretDefinitions: Readonly<Record<SecretId, SecretDefinition>> = Object.freeze({
  jwtSigningKeys: {
    id: 'jwtSigningKeys',
    environmentVariable: 'JWT_SIGNING_SECRET_ARN',
    content: { kind: 'signing-key-set' },
    description: 'Bulwark access-token signing keys (Ed25519, current and previous)',
  },
  jwtVerificationKeys: {
    id: 'jwtVerificationKeys',
    environmentVariable: 'JWT_VERIFICATION_KEYS_SECRET_ARN',
    content: { kind: 'verification-key-set' },
    description:
      'Bulwark access-token verification keys (public JWKS of the signing keys, written by their rotation)',
  },
  apiKeyPepper: {
    id: 'apiKeyPepper',
    environmentVariable: 'API_KEY_PEPPER_SECRET_ARN',
    content: { kind: 'random-string', jsonKey: 'pepper' },
    description: 'Bulwark pepper for API key hashes (HMAC-SHA-256)',
  },
});
