import type { SecretMetadataSource } from '../../domain/secret-store.js';

/** The local stand-in: development keys never rotate, and nothing claims they do. */
export const localSecretMetadata = (): SecretMetadataSource => ({
  describeRotation: async () => ({ rotationEnabled: false }),
});
