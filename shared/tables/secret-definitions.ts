/**
 * Secrets Manager secrets as plain data, shared by the CDK data stack and the local stack.
 * Each secret is a JSON object; `jsonKey` names the field that holds the credential.
 */
export interface SecretDefinition {
  readonly id: SecretId;
  readonly environmentVariable: string;
  readonly jsonKey: string;
  readonly description: string;
}

export type SecretId = 'apiKey';

export const secretDefinitions: Readonly<Record<SecretId, SecretDefinition>> = Object.freeze({
  apiKey: {
    id: 'apiKey',
    environmentVariable: 'API_KEY_SECRET_ARN',
    jsonKey: 'apiKey',
    description: 'Bulwark API key accepted by API_AUTH_STRATEGY=api_key',
  },
});
