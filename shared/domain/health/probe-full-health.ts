import type { Clock } from '../clock.js';

/** What one probe of `GET /health/full` found: whether the stage is healthy, how long it took, why not. */
export interface ProbeResult {
  readonly ok: boolean;
  readonly latencyMs: number;
  readonly status: number | undefined;
  /** A problem type, `network`, `timeout`, `unexpected-answer` or `not-configured`; never a secret. */
  readonly reason: string | undefined;
  readonly requestId: string;
}

export interface ProbeDependencies {
  /** The API's base URL, ending in `/`. */
  readonly baseUrl: string;
  /** A `health`-role API key (`key_id:secret`), or undefined when the secret holds none yet. */
  readonly apiKey: () => Promise<string | undefined>;
  readonly apiKeyHeader: string;
  readonly fetch: typeof fetch;
  readonly clock: Clock;
  readonly timeoutMs: number;
  readonly newId: () => string;
}

const componentsOk = (body: unknown): boolean => {
  const components = (body as { components?: unknown } | null)?.components;
  if (components === null || typeof components !== 'object') return false;
  const values = Object.values(components as Record<string, { status?: unknown }>);
  return values.length > 0 && values.every((component) => component?.status === 'ok');
};

/**
 * The authenticated health check a container platform would run, for a serverless stage: calls
 * `GET /health/full` with a health-role key and `x-request-id: probe-<id>`, and is healthy only on a 200
 * whose every component is `ok`. Never throws: every failure is a result with its reason.
 */
export const probeFullHealth = async (deps: ProbeDependencies): Promise<ProbeResult> => {
  const requestId = `probe-${deps.newId()}`;
  const startedMs = deps.clock.nowMs();
  const result = (ok: boolean, status: number | undefined, reason: string | undefined): ProbeResult => ({
    ok,
    latencyMs: deps.clock.nowMs() - startedMs,
    status,
    reason,
    requestId,
  });
  const apiKey = await deps.apiKey().catch(() => undefined);
  if (apiKey === undefined) return result(false, undefined, 'not-configured');
  let response: Response;
  try {
    response = await deps.fetch(new URL('health/full', deps.baseUrl), {
      headers: { [deps.apiKeyHeader]: apiKey, 'x-request-id': requestId, accept: 'application/json' },
      signal: AbortSignal.timeout(deps.timeoutMs),
      redirect: 'error',
    });
  } catch (error) {
    return result(
      false,
      undefined,
      error instanceof DOMException && error.name === 'TimeoutError' ? 'timeout' : 'network',
    );
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    return result(false, response.status, 'unexpected-answer');
  }
  if (response.status !== 200) {
    const type = (body as { type?: unknown } | null)?.type;
    return result(false, response.status, typeof type === 'string' ? type : 'unexpected-answer');
  }
  return componentsOk(body) ? result(true, 200, undefined) : result(false, 200, 'unexpected-answer');
};
