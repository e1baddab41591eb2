/**
 * `npm start`'s secrets file: both key secrets written consistently, the verification keys derived from
 * the signing keys (also for a file from before they existed), values kept across starts, mode 0600.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jwksOf } from '../../../shared/auth/tokens/jwks.js';
import { DEVELOPMENT_KID_PREFIX, parseSigningKeySet } from '../../../shared/auth/tokens/signing-key-set.js';
import { parseVerificationKeySet } from '../../../shared/auth/tokens/verification-key-set.js';
import { ensureLocalSecrets } from '../../../shared/local/ensure-local-secrets.js';
import type { SecretId } from '../../../shared/resources/secret-definitions.js';
import { keyA, keyB, secretOf } from '../auth/tokens/token-fixtures.js';

const arnOf = (id: SecretId): string =>
  `arn:aws:secretsmanager:us-east-1:000000000000:secret:bulwark-local-${id}`;

describe('ensureLocalSecrets', () => {
  let directory: string;
  let path: string;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'bulwark-secrets-'));
    path = join(directory, 'secrets.json');
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  const fileContent = async (): Promise<Record<string, unknown>> =>
    JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;

  /** The verification secret must be exactly the JWKS of the signing secret in the same file. */
  const expectInStep = async (secrets: Record<string, unknown>): Promise<void> => {
    const signing = await parseSigningKeySet(secrets[arnOf('jwtSigningKeys')], 'signing');
    expect(secrets[arnOf('jwtVerificationKeys')]).toEqual(jwksOf(signing));
    await expect(
      parseVerificationKeySet(secrets[arnOf('jwtVerificationKeys')], 'verification'),
    ).resolves.toBeDefined();
  };

  it('creates every secret in a new file, the verification keys from the signing keys, mode 0600', async () => {
    const secrets = await ensureLocalSecrets(path, arnOf);
    expect(Object.keys(secrets).sort()).toEqual(
      [arnOf('apiKeyPepper'), arnOf('jwtSigningKeys'), arnOf('jwtVerificationKeys')].sort(),
    );
    expect(await fileContent()).toEqual(secrets);
    await expectInStep(secrets);
    const signing = await parseSigningKeySet(secrets[arnOf('jwtSigningKeys')], 'signing');
    expect(signing.current.kid.startsWith(DEVELOPMENT_KID_PREFIX)).toBe(true);
    expect(JSON.stringify(secrets[arnOf('jwtVerificationKeys')])).not.toContain('"d"');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('keeps existing values across starts', async () => {
    const first = await ensureLocalSecrets(path, arnOf);
    expect(await ensureLocalSecrets(path, arnOf)).toEqual(first);
  });

  it('adds the verification keys to a file written before they existed, keeping the signing keys', async () => {
    const signing = secretOf(keyA, keyB);
    const pepper = { pepper: 'bulwark-dev-kept-pepper-value' };
    await writeFile(
      path,
      JSON.stringify({ [arnOf('jwtSigningKeys')]: signing, [arnOf('apiKeyPepper')]: pepper }),
    );
    const secrets = await ensureLocalSecrets(path, arnOf);
    expect(secrets[arnOf('jwtSigningKeys')]).toEqual(signing);
    expect(secrets[arnOf('apiKeyPepper')]).toEqual(pepper);
    await expectInStep(secrets);
    expect(await fileContent()).toEqual(secrets);
  });

  it('rewrites verification keys that no longer match the signing keys', async () => {
    await writeFile(
      path,
      JSON.stringify({
        [arnOf('jwtSigningKeys')]: secretOf(keyB, keyA),
        [arnOf('jwtVerificationKeys')]: jwksOf(await parseSigningKeySet(secretOf(keyA), 'stale')),
      }),
    );
    await expectInStep(await ensureLocalSecrets(path, arnOf));
  });

  it('refuses a broken signing-key set instead of deriving public keys from it', async () => {
    await writeFile(path, JSON.stringify({ [arnOf('jwtSigningKeys')]: { current: { kid: keyA.kid } } }));
    await expect(ensureLocalSecrets(path, arnOf)).rejects.toThrow(/signing key secret is not valid/);
  });
});
