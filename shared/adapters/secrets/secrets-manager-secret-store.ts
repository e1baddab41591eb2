import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SecretStore } from '../../domain/secret-store.js';
import { DependencyUnavailableError } from '../../errors/request-errors.js';
import { parseSecretJson } from './parse-secret-json.js';

/** Reads AWSCURRENT. Every SDK failure becomes a 503-class domain error; nothing of the secret is logged. */
export const secretsManagerSecretStore = (client: SecretsManagerClient): SecretStore => ({
  getSecretJson: async (secretId) => {
    let secretString: string | undefined;
    try {
      const output = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
      secretString = output.SecretString;
    } catch (error) {
      throw new DependencyUnavailableError('secrets-manager', error);
    }
    return parseSecretJson(secretId, secretString);
  },
});
