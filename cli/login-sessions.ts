import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { usageError } from './cli-error.js';
import { assertPrivateFile } from './target.js';

/** A `bulwark login` for one API: the token pair, kept only in a 0600 file. */
export interface LoginSession {
  readonly username: string;
  readonly accessToken: string;
  readonly refreshToken: string;
  /** Epoch ms when the access token expires (refreshed a little before). */
  readonly accessExpiresAtMs: number;
}

/** `$XDG_CONFIG_HOME/bulwark`, else `~/.config/bulwark` (created mode 0700). */
export const configDirectory = (env: NodeJS.ProcessEnv): string =>
  join(env.XDG_CONFIG_HOME?.trim() || join(homedir(), '.config'), 'bulwark');

export interface LoginSessions {
  readonly file: string;
  readonly get: (baseUrl: string) => Promise<LoginSession | undefined>;
  readonly put: (baseUrl: string, session: LoginSession) => Promise<void>;
  readonly remove: (baseUrl: string) => Promise<boolean>;
}

/** Login sessions by API URL in `<config>/logins.json`; the file is refused if group or others can read it. */
export const loginSessions = (env: NodeJS.ProcessEnv): LoginSessions => {
  const directory = configDirectory(env);
  const file = join(directory, 'logins.json');

  const readAll = async (): Promise<Record<string, LoginSession>> => {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      return {};
    }
    await assertPrivateFile(file, 'login file');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw usageError(`${file} is not valid JSON: delete it and log in again (bulwark login)`);
    }
    return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, LoginSession>) : {};
  };

  const writeAll = async (sessions: Record<string, LoginSession>): Promise<void> => {
    await mkdir(directory, { recursive: true, mode: 0o700 });
    // Written beside and renamed, with mode 0600 from the start: never a moment readable by others.
    const temporary = `${file}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify(sessions, null, 2)}\n`, { mode: 0o600 });
    await chmod(temporary, 0o600);
    await rename(temporary, file);
  };

  return {
    file,
    get: async (baseUrl) => (await readAll())[baseUrl],
    put: async (baseUrl, session) => {
      const sessions = await readAll();
      sessions[baseUrl] = session;
      await writeAll(sessions);
    },
    remove: async (baseUrl) => {
      const sessions = await readAll();
      if (sessions[baseUrl] === undefined) return false;
      delete sessions[baseUrl];
      await writeAll(sessions);
      return true;
    },
  };
};
