import { ConfigurationError } from '../../errors/configuration-error.js';

/** A secret that is not a JSON object is an operator mistake: fail loudly, never echo its content. */
export const parseSecretJson = (
  secretId: string,
  secretString: string | undefined,
): Record<string, unknown> => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretString ?? '');
  } catch {
    throw new ConfigurationError(secretId, 'secret value is not a JSON object');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigurationError(secretId, 'secret value is not a JSON object');
  }
  return parsed as Record<string, unknown>;
};
