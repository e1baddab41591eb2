import { readFile } from 'node:fs/promises';
import type { SecretStore } from '../../domain/secret-store.js';
import { ConfigurationError } from '../../errors/configuration-error.js';

/**
 * Development stand-in for Secrets Manager: a JSON file `{ "<secret id>": { ...secret json } }` written
 * by `npm start` into .local/. Refused in production by the runtime config.
 */
export const localFileSecretStore = (path: string): SecretStore => ({
  getSecretJson: async (secretId) => {
    const secrets = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    const secret = secrets[secretId];
    if (secret === null || typeof secret !== 'object' || Array.isArray(secret)) {
      throw new ConfigurationError('LOCAL_SECRETS_FILE', `has no JSON object for secret "${secretId}"`);
    }
    return secret as Record<string, unknown>;
  },
});
