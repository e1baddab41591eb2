import { randomBytes } from 'node:crypto';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { DEVELOPMENT_SECRET_PREFIX } from '../auth/assert-strong-secret.js';
import { jwksOf } from '../auth/tokens/jwks.js';
import { generateSigningKey, parseSigningKeySet } from '../auth/tokens/signing-key-set.js';
import { type SecretDefinition, type SecretId, secretDefinitions } from '../resources/secret-definitions.js';

const readSecrets = async (path: string): Promise<Record<string, unknown>> => {
  try {
    const parsed: unknown = JSON.parse(await readFile(path, 'utf8'));
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
};

/** A fresh development value; every one carries the development marker, which production refuses. */
const generated = async (definition: SecretDefinition): Promise<Record<string, unknown>> => {
  switch (definition.content.kind) {
    case 'random-string':
      return {
        [definition.content.jsonKey]: `${DEVELOPMENT_SECRET_PREFIX}${randomBytes(24).toString('base64url')}`,
      };
    case 'signing-key-set':
      return {
        current: await generateSigningKey(`${DEVELOPMENT_SECRET_PREFIX}${randomBytes(6).toString('hex')}`),
      };
    case 'verification-key-set':
      throw new TypeError(`${definition.id} is derived from the signing keys, never generated`);
    default: {
      const unknown: never = definition.content;
      throw new TypeError(`unknown secret content ${JSON.stringify(unknown)}`);
    }
  }
};

/**
 * The development secrets of `npm start` in one JSON file (mode 0600) keyed by each secret's local ARN,
 * the stand-in for Secrets Manager. Generated values are kept across starts, so tokens and keys issued
 * yesterday still verify. The verification keys are derived from the signing keys on every start, as
 * the rotation does in AWS, so the two can never drift apart: an older file without them, or with a
 * hand-edited signing set, gets them rewritten.
 */
export const ensureLocalSecrets = async (
  path: string,
  arnOf: (id: SecretId) => string,
): Promise<Record<string, unknown>> => {
  const secrets = await readSecrets(path);
  for (const definition of Object.values(secretDefinitions)) {
    if (definition.content.kind === 'verification-key-set') continue;
    const arn = arnOf(definition.id);
    secrets[arn] ??= await generated(definition);
  }
  const signingArn = arnOf('jwtSigningKeys');
  // Validated and imported like the issuers do, so a broken signing set fails here, not at first login.
  const signing = await parseSigningKeySet(secrets[signingArn], signingArn);
  secrets[arnOf('jwtVerificationKeys')] = jwksOf(signing);
  await writeFile(path, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  await chmod(path, 0o600);
  return secrets;
};
