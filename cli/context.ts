import { type ApiClient, createApiClient } from './api-client.js';
import { type Credential, resolveCredential } from './credentials.js';
import type { Io } from './io.js';
import { type LoginSessions, loginSessions } from './login-sessions.js';
import { resolveTarget, type Target } from './target.js';

/** The options every command accepts (declared on the root command). */
export interface GlobalOptions {
  readonly url?: string;
  readonly credentialsFile?: string;
  readonly json?: boolean;
  readonly timeout: number;
  readonly apiKeyHeader?: string;
}

/** What a command's action gets: where to write, and a client for the target it names. */
export interface CommandContext {
  readonly io: Io;
  readonly json: boolean;
  readonly target: () => Promise<Target>;
  readonly client: () => Promise<ApiClient>;
  readonly credential: () => Promise<Credential>;
  readonly logins: LoginSessions;
  /** Prints data: the value as JSON with `--json`, else the human text. */
  readonly print: (value: unknown, human: string) => void;
  /** A message for people (stderr in every mode). */
  readonly note: (text: string) => void;
}

export const commandContext = (
  io: Io,
  options: GlobalOptions,
  env: NodeJS.ProcessEnv,
  cwd: string,
): CommandContext => {
  const logins = loginSessions(env);
  let target: Promise<Target> | undefined;
  let credential: Promise<Credential> | undefined;
  const targetOf = () => {
    target ??= resolveTarget(options.url, env, cwd);
    return target;
  };
  const credentialOf = () => {
    credential ??= targetOf().then((resolved) =>
      resolveCredential(
        options,
        env,
        resolved,
        async () => (await logins.get(resolved.baseUrl)) !== undefined,
      ),
    );
    return credential;
  };
  const json = options.json === true;
  return {
    io,
    json,
    logins,
    target: targetOf,
    credential: credentialOf,
    client: async () =>
      createApiClient({
        target: await targetOf(),
        credential: credentialOf,
        apiKeyHeader: (options.apiKeyHeader ?? env.BULWARK_API_KEY_HEADER ?? 'x-api-key').toLowerCase(),
        timeoutMs: options.timeout * 1000,
        logins,
      }),
    print: (value, human) => io.stdout(json ? `${JSON.stringify(value, null, 2)}\n` : human),
    note: (text) => io.stderr(`${text}\n`),
  };
};
