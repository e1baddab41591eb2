import { DescribeSecretCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SecretMetadataSource } from '../../domain/secret-store.js';
import { DependencyUnavailableError } from '../../errors/request-errors.js';

/** DescribeSecret: rotation switch and dates; the value is never read. Failures are 503-class. */
export const secretsManagerSecretMetadata = (client: SecretsManagerClient): SecretMetadataSource => ({
  describeRotation: async (secretId) => {
    try {
      const output = await client.send(new DescribeSecretCommand({ SecretId: secretId }));
      return {
        rotationEnabled: output.RotationEnabled === true,
        ...(output.LastRotatedDate === undefined
          ? {}
          : { lastRotatedAtMs: output.LastRotatedDate.getTime() }),
        ...(output.NextRotationDate === undefined
          ? {}
          : { nextRotationAtMs: output.NextRotationDate.getTime() }),
      };
    } catch (error) {
      throw new DependencyUnavailableError('secrets-manager', error);
    }
  },
});
