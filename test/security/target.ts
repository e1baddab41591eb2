/**
 * What the checks attack: a base URL, the credentials the user handed the suite, and, only when the
 * suite runs its own local stack, controls no stage offers (a backend it can pause, the development
 * signing key, distinct client addresses through one trusted proxy hop).
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CryptoKey } from 'jose';
import { describeAnswer, expectJson, problemCodeOf, retryAfterOf } from './expect-answer.js';
import { type HttpAnswer, type HttpRequest, type RawRequest, send, sendRaw } from './http-client.js';
import { fail, skip } from './security-check.js';

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

export interface TokenPair {
  readonly access_token: string;
  readonly refresh_token: string;
  readonly token_type: string;
  readonly expires_in: number;
}

export interface SigningKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
}

/** What only the suite's own local stack offers. */
export interface LocalControls {
  /** SIGSTOP of the suite's DynamoDB Local: connections open, no answers (a hung backend). */
  readonly pauseBackend: () => void;
  readonly resumeBackend: () => void;
  /** SECURITY_LIMITER_TIMEOUT_MS the suite gave the stack. */
  readonly limiterTimeoutMs: number;
  /** The stack's development signing key (its secrets.json), for tokens only the server could sign. */
  readonly signingKey: SigningKey;
}

/** One simulated client: its own address in local mode, the runner's address on a stage. */
export interface Client {
  /** The address the stack sees for this client (local mode), or undefined (a stage sees the runner). */
  readonly address: string | undefined;
  readonly send: (request: HttpRequest) => Promise<HttpAnswer>;
  /** A request written byte by byte (lowercase methods, odd Host values). */
  readonly sendRaw: (request: RawRequest) => Promise<HttpAnswer>;
}

export interface TargetSettings {
  readonly mode: 'local' | 'stage';
  readonly baseUrl: string;
  /** An admin API key (`bwk_...:...`); without it, checks that need a user of their own are skipped. */
  readonly adminApiKey: string | undefined;
  /** Header that carries API keys (API_AUTH_HEADER). */
  readonly apiKeyHeader: string;
  /** One origin of CORS_ALLOW_ORIGINS; without it, the allowed-origin checks are skipped. */
  readonly allowedOrigin: string | undefined;
  /** API_BODY_MAX_BYTES of the target. */
  readonly bodyMaxBytes: number;
  /** REFRESH_REUSE_GRACE_SECONDS of the target. */
  readonly refreshGraceSeconds: number;
  readonly local?: LocalControls;
}

export interface Target extends TargetSettings {
  /** A new client: in local mode with an address no other client used (X-Forwarded-For, one hop). */
  readonly client: () => Client;
  /** A new user of the suite's own (random name, role `user`), created through the admin API. */
  readonly createUser: () => Promise<Credentials>;
  /** The suite's shared throwaway user, created on first use. */
  readonly throwawayUser: () => Promise<Credentials>;
}

/** Prefix of every user the suite creates, so operators can find them. */
export const suiteUserPrefix = 'bulwark-security-';

export const randomName = (label: string): string =>
  `${suiteUserPrefix}${label}-${randomBytes(5).toString('hex')}`;

export const createTarget = (settings: TargetSettings): Target => {
  let nextAddress = 0;
  const client = (): Client => {
    if (settings.mode === 'stage') {
      return {
        address: undefined,
        send: (request) => send(settings.baseUrl, request),
        sendRaw: (request) => sendRaw(settings.baseUrl, request),
      };
    }
    // 198.18.0.0/15 is reserved for benchmarks: never a real client. The stack trusts one proxy hop,
    // so the rightmost X-Forwarded-For entry is this client's address.
    nextAddress += 1;
    const address = `198.18.${Math.floor(nextAddress / 250)}.${(nextAddress % 250) + 1}`;
    return {
      address,
      send: (request) =>
        send(settings.baseUrl, {
          ...request,
          headers: { 'x-forwarded-for': address, ...request.headers },
        }),
      sendRaw: (request) =>
        sendRaw(settings.baseUrl, {
          ...request,
          headers: [['x-forwarded-for', address], ...(request.headers ?? [])],
        }),
    };
  };

  const admin = client();
  const createUser = async (): Promise<Credentials> => {
    if (settings.adminApiKey === undefined)
      return skip('needs an admin API key (BULWARK_API_KEY) to create a throwaway user');
    const credentials = { username: randomName('user'), password: randomBytes(18).toString('base64url') };
    const answer = await admin.send({
      method: 'POST',
      path: '/api/v1/user',
      headers: { [settings.apiKeyHeader]: settings.adminApiKey },
      json: credentials,
    });
    if (answer.status !== 201) fail(`could not create a throwaway user: ${describeAnswer(answer)}`);
    return credentials;
  };
  let shared: Promise<Credentials> | undefined;
  const throwawayUser = (): Promise<Credentials> => {
    shared ??= createUser();
    return shared;
  };
  return { ...settings, client, createUser, throwawayUser };
};

/**
 * Logs in and returns the token pair. A 429 login-throttled (the runner's address may still be in a
 * back-off from an earlier run against a stage) is waited out once when its Retry-After is short.
 */
export const logIn = async (client: Client, credentials: Credentials): Promise<TokenPair> => {
  for (let attempt = 0; ; attempt += 1) {
    const answer = await client.send({ method: 'POST', path: '/auth/login', json: credentials });
    const retryAfter = retryAfterOf(answer);
    if (
      attempt === 0 &&
      answer.status === 429 &&
      problemCodeOf(answer) === 'login-throttled' &&
      retryAfter !== undefined &&
      retryAfter <= 30
    ) {
      await sleep(retryAfter * 1000 + 200);
      continue;
    }
    return expectJson<TokenPair>(answer, 200, 'a login with the right password');
  }
};

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });
