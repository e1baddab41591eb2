/**
 * `npm run keys:signing` prints a new access-token signing-key set for Secrets Manager:
 *   npm run --silent keys:signing > keys.json
 *   aws secretsmanager put-secret-value --secret-id <JWT_SIGNING_SECRET_ARN> --secret-string file://keys.json
 * With `--rotate <current.json>` (the secret's present value) the new key becomes current and the old
 * current key becomes `previous` (public half only), so tokens it signed keep verifying until they expire.
 * The rotation function (ADR 0011) does this on a schedule; this script is the manual fallback.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { generateSigningKey } from '../shared/auth/tokens/signing-key-set.js';

const rotateIndex = process.argv.indexOf('--rotate');
const kid = `k-${new Date().toISOString().slice(0, 10)}-${randomBytes(4).toString('hex')}`;
const current = await generateSigningKey(kid);

let previous: { kid: string; publicJwk: Record<string, unknown> } | undefined;
if (rotateIndex !== -1) {
  const path = process.argv[rotateIndex + 1];
  if (path === undefined) throw new Error('--rotate needs the path of the current secret value');
  const existing = JSON.parse(await readFile(path, 'utf8')) as {
    current?: { kid?: string; privateJwk?: Record<string, unknown> };
  };
  const old = existing.current;
  if (old?.kid === undefined || old.privateJwk === undefined) throw new Error(`${path} has no current key`);
  const { d: _private, ...publicJwk } = old.privateJwk;
  previous = { kid: old.kid, publicJwk };
}

process.stdout.write(`${JSON.stringify(previous === undefined ? { current } : { current, previous })}\n`);
