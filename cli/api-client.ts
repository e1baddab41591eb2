import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TokenPair } from './api-answers.js';
import { CliError, type Problem } from './cli-error.js';
import type { Credential } from './credentials.js';
import { exitCodeOfStatus, exitCodes } from './exit-codes.js';
import type { LoginSession, LoginSessions } from './login-sessions.js';
import type { Target } from './target.js';

export interface ApiAnswer {
  readonly status: number;
  readonly body: unknown;
  readonly requestId: string;
}

export interface RequestOptions {
  readonly json?: unknown;
  /** Public routes (health, login, refresh) send no credential. */
  readonly anonymous?: boolean;
  /** This access token instead of the resolved credential (logout ends the login's own session). */
  readonly bearer?: string;
}

export interface ApiClient {
  readonly request: (method: string, path: string, options?: RequestOptions) => Promise<ApiAnswer>;
  /** One id per invocation, sent as `x-bulwark-cli-run` beside each request's own `x-request-id`. */
  readonly runId: string;
}

export interface ApiClientOptions {
  readonly target: Target;
  /** Resolved on the first authenticated request only, so public commands need none. */
  readonly credential: () => Promise<Credential>;
  readonly apiKeyHeader: string;
  readonly timeoutMs: number;
  readonly logins: LoginSessions;
  /** Epoch ms (tests pin it through the environment, never here). */
  readonly nowMs?: () => number;
}

/** Network failures are retried only for GET (safe and idempotent), twice, with a short pause. */
const retryDelaysMs = [250, 1_000] as const;
/** A login's access token is refreshed this long before it expires. */
const refreshMarginMs = 30_000;

const isNetworkError = (error: unknown): boolean =>
  error instanceof TypeError ||
  (error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError'));

const networkError = (error: unknown, requestId: string, target: Target, timeoutMs: number): CliError =>
  new CliError(
    error instanceof DOMException && error.name === 'TimeoutError'
      ? `no answer from ${target.baseUrl} within ${timeoutMs / 1000} s`
      : `cannot reach ${target.baseUrl}`,
    { exitCode: exitCodes.network, requestId },
  );

const retryAfterOf = (headers: Headers): number | undefined => {
  const value = headers.get('retry-after');
  if (value === null || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value.trim());
};

const parseBody = async (response: Response): Promise<unknown> => {
  const text = await response.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/** A non-2xx answer as a CliError: the problem's own words, its request id, the wait of a 429. */
const problemError = (status: number, body: unknown, requestId: string, headers: Headers): CliError => {
  const problem: Problem =
    body !== null && typeof body === 'object' ? (body as Problem) : { title: `HTTP ${status}`, status };
  const retryAfterSeconds = retryAfterOf(headers);
  return new CliError(problem.title ?? `HTTP ${status}`, {
    exitCode: exitCodeOfStatus(status),
    problem: { ...problem, status: problem.status ?? status },
    requestId: problem.request_id ?? headers.get('x-request-id') ?? requestId,
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
  });
};

/**
 * The only way the CLI talks to Bulwark: the public API over HTTP. Every request carries a fresh
 * `x-request-id` (`cli-<uuid>`); answers are JSON or problem+json; nothing else is assumed.
 */
export const createApiClient = (options: ApiClientOptions): ApiClient => {
  const { target, timeoutMs, logins } = options;
  const nowMs = options.nowMs ?? Date.now;
  const runId = `cli-${randomUUID()}`;

  const send = async (method: string, path: string, headers: Record<string, string>, json?: unknown) => {
    const url = new URL(path.replace(/^\//, ''), target.baseUrl);
    const attempts = method === 'GET' ? retryDelaysMs.length + 1 : 1;
    for (let attempt = 0; ; attempt += 1) {
      const requestId = `cli-${randomUUID()}`;
      try {
        const response = await fetch(url, {
          method,
          headers: {
            accept: 'application/json, application/problem+json',
            'x-request-id': requestId,
            'x-bulwark-cli-run': runId,
            ...(json === undefined ? {} : { 'content-type': 'application/json' }),
            ...headers,
          },
          ...(json === undefined ? {} : { body: JSON.stringify(json) }),
          signal: AbortSignal.timeout(timeoutMs),
          redirect: 'error',
        });
        return { response, body: await parseBody(response), requestId };
      } catch (error) {
        if (!isNetworkError(error)) throw error;
        if (attempt + 1 >= attempts) throw networkError(error, requestId, target, timeoutMs);
        await sleep(retryDelaysMs[attempt] ?? 1_000);
      }
    }
  };

  const expect2xx = (answer: Awaited<ReturnType<typeof send>>): ApiAnswer => {
    const { response, body, requestId } = answer;
    if (!response.ok) throw problemError(response.status, body, requestId, response.headers);
    return { status: response.status, body, requestId: response.headers.get('x-request-id') ?? requestId };
  };

  /** The access token of this URL's login, refreshed first when it is about to expire. */
  const accessToken = async (): Promise<string> => {
    const session = await logins.get(target.baseUrl);
    if (session === undefined) {
      throw new CliError('not logged in to this API: run `bulwark login`', { exitCode: exitCodes.auth });
    }
    if (session.accessExpiresAtMs - refreshMarginMs > nowMs()) return session.accessToken;
    // Never retried: a refresh token is single use, and a replay would revoke the session.
    const refreshed = await send('POST', 'auth/token/refresh', {}, { refresh_token: session.refreshToken });
    if (!refreshed.response.ok) {
      if (refreshed.response.status === 401) {
        await logins.remove(target.baseUrl);
        throw new CliError('the login expired or was revoked: run `bulwark login` again', {
          exitCode: exitCodes.auth,
          requestId: refreshed.requestId,
        });
      }
      throw problemError(
        refreshed.response.status,
        refreshed.body,
        refreshed.requestId,
        refreshed.response.headers,
      );
    }
    const pair = refreshed.body as TokenPair;
    const next: LoginSession = {
      username: session.username,
      accessToken: pair.access_token,
      refreshToken: pair.refresh_token,
      accessExpiresAtMs: nowMs() + pair.expires_in * 1000,
    };
    await logins.put(target.baseUrl, next);
    return next.accessToken;
  };

  return {
    runId,
    request: async (method, path, requestOptions = {}) => {
      const headers: Record<string, string> = {};
      if (requestOptions.bearer !== undefined) headers.authorization = `Bearer ${requestOptions.bearer}`;
      else if (requestOptions.anonymous !== true) {
        const credential = await options.credential();
        if (credential.kind === 'api_key') headers[options.apiKeyHeader] = credential.value;
        else headers.authorization = `Bearer ${await accessToken()}`;
      }
      return expect2xx(await send(method, path, headers, requestOptions.json));
    },
  };
};
