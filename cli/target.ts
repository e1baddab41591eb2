import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { usageError } from './cli-error.js';

/** Where the CLI sends requests, and where that came from (shown by `whoami`, never a secret). */
export interface Target {
  readonly baseUrl: string;
  readonly source: '--url' | 'BULWARK_URL' | 'bootstrap.json';
  /** The local stack's bootstrap file, when the URL came from it (it also holds an admin API key). */
  readonly bootstrapFile?: string;
}

export interface LocalBootstrap {
  readonly baseUrl: string;
  readonly apiKey?: string;
}

const normalised = (url: string, source: string): string => {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw usageError(`${source} is not a URL`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw usageError(`${source} must be an http or https URL`);
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw usageError(`${source} must not carry credentials; use a credentials file`);
  }
  // A query string or fragment is no part of a base URL, and may hold a secret: refused, never echoed.
  if (parsed.search !== '' || parsed.hash !== '' || url.includes('?') || url.includes('#')) {
    throw usageError(`${source} must be the API’s base URL, without a query string or fragment`);
  }
  return parsed.href.endsWith('/') ? parsed.href : `${parsed.href}/`;
};

/** The local stack's bootstrap file: `$BULWARK_LOCAL_DIR/bootstrap.json`, `.local/` by default. */
export const bootstrapPath = (env: NodeJS.ProcessEnv, cwd: string): string =>
  resolve(cwd, env.BULWARK_LOCAL_DIR ?? '.local', 'bootstrap.json');

/** Refuses a file group or others may read or write, as ssh refuses a private key. */
export const assertPrivateFile = async (path: string, what: string): Promise<void> => {
  const info = await stat(path);
  if ((info.mode & 0o077) !== 0) {
    throw usageError(
      `refusing ${what} ${path}: readable or writable by group or others (run: chmod 600 ${path})`,
    );
  }
};

export const readBootstrap = async (path: string): Promise<LocalBootstrap | undefined> => {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  await assertPrivateFile(path, 'bootstrap file');
  const parsed = JSON.parse(text) as { baseUrl?: unknown; apiKey?: unknown };
  if (typeof parsed.baseUrl !== 'string') return undefined;
  return { baseUrl: parsed.baseUrl, ...(typeof parsed.apiKey === 'string' ? { apiKey: parsed.apiKey } : {}) };
};

/** `--url`, else BULWARK_URL, else the local stack's bootstrap.json (`npm start`). */
export const resolveTarget = async (
  url: string | undefined,
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<Target> => {
  if (url !== undefined) return { baseUrl: normalised(url, '--url'), source: '--url' };
  const fromEnv = env.BULWARK_URL?.trim();
  if (fromEnv) return { baseUrl: normalised(fromEnv, 'BULWARK_URL'), source: 'BULWARK_URL' };
  const file = bootstrapPath(env, cwd);
  const bootstrap = await readBootstrap(file);
  if (bootstrap === undefined) {
    throw usageError(
      `no API to talk to: pass --url, set BULWARK_URL, or start the local stack (npm start writes ${join('.local', 'bootstrap.json')})`,
    );
  }
  return { baseUrl: normalised(bootstrap.baseUrl, file), source: 'bootstrap.json', bootstrapFile: file };
};
