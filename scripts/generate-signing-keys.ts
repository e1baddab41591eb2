/**
 * `npm run keys:signing` prints a new access-token signing-key set for Secrets Manager and writes its
 * public keys (the verification-key secret's value) to the file given with `--public`:
 *   npm run --silent keys:signing -- --public public.json > keys.json
 *   aws secretsmanager put-secret-value --secret-id <JWT_VERIFICATION_KEYS_SECRET_ARN> --secret-string file://public.json
 *   aws secretsmanager put-secret-value --secret-id <JWT_SIGNING_SECRET_ARN> --secret-string file://keys.json
 * Public keys first: verifiers must know a kid before any issuer signs with it. With
 * `--rotate <current.json>` (the signing secret's present value) the new key becomes current and the old
 * current key becomes `previous` (public half only), so tokens it signed keep verifying until they
 * expire. The rotation function (ADR 0011) does all this on a schedule; this script is the manual fallback.
 */
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { jwksOf } from '../shared/auth/tokens/jwks.js';
import { generateSigningKey, parseSigningKeySet } from '../shared/auth/tokens/signing-key-set.js';

const pathAfter = (flag: string): string | undefined => {
  const index = process.argv.indexOf(flag);
  if (index === -1) return undefined;
  const value = process.argv[index + 1];
  if (value === undefined || value.startsWith('--')) throw new Error(`${flag} needs a file path`);
  return value;
};

const publicPath = pathAfter('--public');
if (publicPath === undefined) {
  throw new Error('--public <path> is required: verifiers read the public keys from their own secret');
}
const rotatePath = pathAfter('--rotate');
const kid = `k-${new Date().toISOString().slice(0, 10)}-${randomBytes(4).toString('hex')}`;
const current = await generateSigningKey(kid);

let previous: { kid: string; publicJwk: Record<string, unknown> } | undefined;
if (rotatePath !== undefined) {
  // Validated like the issuers read it; only the public half of its current key is carried over.
  const old = await parseSigningKeySet(JSON.parse(await readFile(rotatePath, 'utf8')), rotatePath);
  previous = { kid: old.current.kid, publicJwk: { kty: 'OKP', crv: 'Ed25519', x: old.current.publicJwk.x } };
}

const next = previous === undefined ? { current } : { current, previous };
const published = jwksOf(await parseSigningKeySet(next, 'the new signing-key set'));
await writeFile(publicPath, `${JSON.stringify(published)}\n`, { mode: 0o600 });
process.stdout.write(`${JSON.stringify(next)}\n`);
