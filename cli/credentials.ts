import { readFile } from 'node:fs/promises';
import { CliError, usageError } from './cli-error.js';
import { exitCodes } from './exit-codes.js';
import { maskCredential } from './redact.js';
import { assertPrivateFile, readBootstrap, type Target } from './target.js';

/** How requests authenticate: an API key in its header, or a login's access token (see login-session.ts). */
export type Credential =
  | { readonly kind: 'api_key'; readonly value: string; readonly source: string }
  | { readonly kind: 'login'; readonly source: string };

const credentialPattern = /^bwk_[a-z2-7]{20}:[A-Za-z0-9_-]{43}$/;

const readStdin = async (): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

const apiKeyFrom = (text: string, source: string): Credential => {
  const value = text.trim();
  // Never echo what was read: it may be a secret pasted into the wrong place.
  if (!credentialPattern.test(value)) {
    throw usageError(`${source} does not hold an API key (expected one line key_id:secret, bwk_...:...)`);
  }
  return { kind: 'api_key', value, source };
};

/** A file path, or `-` for standard input; a file group or others can read is refused. */
const fromFile = async (path: string, source: string): Promise<Credential> => {
  if (path === '-') return apiKeyFrom(await readStdin(), `${source} (stdin)`);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw usageError(`cannot read the credentials file ${path} (${source})`);
  }
  await assertPrivateFile(path, 'credentials file');
  return apiKeyFrom(text, `${source} ${path}`);
};

/**
 * The credential, never from argv: `--credentials-file <path|->`, then BULWARK_CREDENTIALS_FILE, then
 * BULWARK_API_KEY (for CI and other headless use), then a `bulwark login` session for this URL, then,
 * when the URL came from the local stack's bootstrap.json, that file's admin API key.
 */
export const resolveCredential = async (
  options: { readonly credentialsFile?: string | undefined },
  env: NodeJS.ProcessEnv,
  target: Target,
  hasLoginSession: () => Promise<boolean>,
): Promise<Credential> => {
  if (options.credentialsFile !== undefined) return fromFile(options.credentialsFile, '--credentials-file');
  const file = env.BULWARK_CREDENTIALS_FILE?.trim();
  if (file) return fromFile(file, 'BULWARK_CREDENTIALS_FILE');
  const key = env.BULWARK_API_KEY?.trim();
  if (key) return apiKeyFrom(key, 'BULWARK_API_KEY');
  if (await hasLoginSession()) return { kind: 'login', source: 'bulwark login' };
  if (target.bootstrapFile !== undefined) {
    const bootstrap = await readBootstrap(target.bootstrapFile);
    if (bootstrap?.apiKey !== undefined) return apiKeyFrom(bootstrap.apiKey, target.bootstrapFile);
  }
  throw new CliError(
    'no credential: use --credentials-file <path|->, BULWARK_CREDENTIALS_FILE, BULWARK_API_KEY or `bulwark login`',
    { exitCode: exitCodes.auth },
  );
};

/** How `whoami` names the credential: the key id in full, the secret as `****` and its last 4 characters. */
export const describeCredential = (credential: Credential): string =>
  credential.kind === 'api_key'
    ? `API key ${maskCredential(credential.value)} (from ${credential.source})`
    : `access token of a login (from ${credential.source})`;
