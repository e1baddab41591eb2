import { describe, expect, it } from 'vitest';
import { type ProbeDependencies, probeFullHealth } from '../../../shared/domain/health/probe-full-health.js';
import { manualClock } from '../../support/test-runtime.js';

const key = `bwk_${'a'.repeat(20)}:${'b'.repeat(43)}`;

const probe = (answer: () => Promise<Response>, overrides: Partial<ProbeDependencies> = {}) => {
  const requests: { url: string; headers: Record<string, string> }[] = [];
  const deps: ProbeDependencies = {
    baseUrl: 'https://api.example.test/prod/',
    apiKey: async () => key,
    apiKeyHeader: 'x-api-key',
    fetch: (async (url: URL, init: RequestInit) => {
      requests.push({ url: String(url), headers: init.headers as Record<string, string> });
      return answer();
    }) as typeof fetch,
    clock: manualClock(),
    timeoutMs: 1000,
    newId: () => 'id-1',
    ...overrides,
  };
  return { run: () => probeFullHealth(deps), requests };
};

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('probeFullHealth', () => {
  it('is healthy on a 200 whose every component is ok, and sends the key and a probe request id', async () => {
    const { run, requests } = probe(async () =>
      json(200, { status: 'degraded', components: { 'dynamodb:users': { status: 'ok' } } }),
    );
    await expect(run()).resolves.toMatchObject({ ok: true, status: 200, requestId: 'probe-id-1' });
    expect(requests).toEqual([
      {
        url: 'https://api.example.test/prod/health/full',
        headers: { 'x-api-key': key, 'x-request-id': 'probe-id-1', accept: 'application/json' },
      },
    ]);
  });

  it('reports the problem type of a refusal, a network failure and a missing key, never throwing', async () => {
    const down = probe(async () =>
      json(503, { type: 'urn:bulwark:problem:service-unavailable', detail: 'Unavailable: dynamodb:users.' }),
    );
    await expect(down.run()).resolves.toMatchObject({
      ok: false,
      status: 503,
      reason: 'urn:bulwark:problem:service-unavailable',
    });
    const unreachable = probe(async () => {
      throw new TypeError('fetch failed');
    });
    await expect(unreachable.run()).resolves.toMatchObject({ ok: false, reason: 'network' });
    const unconfigured = probe(async () => json(200, {}), { apiKey: async () => undefined });
    await expect(unconfigured.run()).resolves.toMatchObject({ ok: false, reason: 'not-configured' });
    expect(unconfigured.requests).toEqual([]);
    const partial = probe(async () => json(200, { components: { a: { status: 'unavailable' } } }));
    await expect(partial.run()).resolves.toMatchObject({ ok: false, reason: 'unexpected-answer' });
  });
});
