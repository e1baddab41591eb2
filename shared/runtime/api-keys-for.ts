import { dynamoDbApiKeyStore } from '../adapters/dynamodb/dynamodb-api-key-store.js';
import { assertStrongSecret } from '../auth/assert-strong-secret.js';
import { type ApiKeys, createApiKeys } from '../domain/api-keys/create-api-keys.js';
import { ConfigurationError } from '../errors/configuration-error.js';
import { secretDefinitions } from '../resources/secret-definitions.js';
import { tableDefinitions } from '../resources/table-definitions.js';
import { perRuntime } from './per-runtime.js';
import { requireSetting } from './require-setting.js';

export interface ApiKeysCapability {
  readonly apiKeys: ApiKeys;
  /** Cold start: loads the pepper (warming the cache); production refuses a weak or development one. */
  readonly ready: () => Promise<void>;
}

/** API keys: issue, verify (peppered HMAC, constant time), list, update, revoke (ADR 0008). */
export const apiKeysFor = perRuntime((runtime): ApiKeysCapability => {
  const { config, secretStore } = runtime;
  const definition = secretDefinitions.apiKeyPepper;
  const pepper = async (): Promise<string> => {
    const arn = requireSetting(definition.environmentVariable, config.apiKeyPepperSecretArn);
    const jsonKey = definition.content.kind === 'random-string' ? definition.content.jsonKey : 'pepper';
    const value = (await secretStore.getSecretJson(arn))[jsonKey];
    if (typeof value !== 'string')
      throw new ConfigurationError(definition.environmentVariable, 'secret has no pepper');
    return value;
  };
  const store =
    runtime.stores.apiKeys ??
    dynamoDbApiKeyStore(
      runtime.dynamoDb(),
      requireSetting(tableDefinitions.apiKeys.environmentVariable, config.apiKeysTableName),
    );
  return {
    apiKeys: createApiKeys({ store, pepper, clock: runtime.clock }),
    ready: async () => {
      const value = await pepper();
      if (config.environment === 'production') assertStrongSecret(definition.environmentVariable, value);
    },
  };
});
