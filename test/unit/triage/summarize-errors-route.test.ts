/**
 * POST /debug/summarize-errors on the test runtime, with its real parts: the local file source over a
 * folder of seeded JSON lines, the Converse adapter against the local stand-in, the breaker on the
 * in-memory breakers table (kept honest by the store contract on DynamoDB Local).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { route } from '../../../functions/summarize-errors/route.js';
import { noModelNote } from '../../../shared/domain/triage/summarize-errors.js';
import { type ConverseStandIn, startConverseStandIn } from '../../support/converse-stand-in.js';
import { inMemoryBreakerStore, inMemoryLastGoodCache } from '../../support/in-memory-breaker-store.js';
import {
  apiGatewayEvent,
  FIXED_NOW_MS,
  issueTestAccessToken,
  lambdaContext,
  TEST_API_KEY,
  testRuntime,
} from '../../support/test-runtime.js';

let logDir: string;
let standIn: ConverseStandIn;
const seededSecrets = {
  apiKey: 'bwk_zyxwvutsrqponmlkjihg:Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5',
  bearer: 'Bearer seeded-opaque-bearer-value-42',
  email: 'carol.customer@example.org',
  awsKey: 'AKIAZZZZZZZZZZZZZZZZ',
  password: 'seeded-password-value-7',
  // A credential-named pair inside text: only the digest's pair pass finds it.
  queryToken: 'seeded-query-token-without-digits',
};
const minutesAgo = (minutes: number) => new Date(FIXED_NOW_MS - minutes * 60_000).toISOString();

beforeAll(async () => {
  logDir = await mkdtemp(join(tmpdir(), 'bulwark-triage-'));
  const lines = [
    {
      level: 'ERROR',
      message: `request failed for ${seededSecrets.email}`,
      timestamp: minutesAgo(5),
      route: 'login',
      error_name: 'DependencyUnavailableError',
      request_id: 'r1',
      error: { message: `upstream refused ${seededSecrets.bearer}` },
    },
    {
      level: 'ERROR',
      message: `request failed for ${seededSecrets.email}`,
      timestamp: minutesAgo(3),
      route: 'login',
      error_name: 'DependencyUnavailableError',
      request_id: 'r2',
      password: seededSecrets.password,
      error: { message: `upstream refused ${seededSecrets.bearer}` },
    },
    {
      level: 'ERROR',
      message: `key ${seededSecrets.apiKey} rejected by ${seededSecrets.awsKey} at /cb?access_token=${seededSecrets.queryToken}&next=1`,
      timestamp: minutesAgo(2),
      route: 'current-user',
      error_name: 'TypeError',
      request_id: 'r3',
    },
    { level: 'INFO', message: 'request rejected', timestamp: minutesAgo(1) },
    { level: 'ERROR', message: 'too old', timestamp: minutesAgo(120) },
  ];
  await writeFile(
    join(logDir, 'bulwark-2026-11-23.jsonl'),
    `${lines.map((l) => JSON.stringify(l)).join('\n')}\nnot json\n`,
  );
  await writeFile(
    join(logDir, 'notes.txt'),
    `${JSON.stringify({ level: 'ERROR', message: 'ignored', timestamp: minutesAgo(1) })}\n`,
  );
  standIn = await startConverseStandIn();
});

afterAll(async () => {
  await standIn.stop();
  await rm(logDir, { recursive: true, force: true });
});

beforeEach(() => {
  standIn.received.length = 0;
  standIn.setMode({ kind: 'answer' });
});

const modelEnv = () => ({
  TRIAGE_MODEL_ID: 'eu.anthropic.claude-haiku-4-5-20251001-v1:0',
  TRIAGE_BEDROCK_ENDPOINT: standIn.endpoint,
  TRIAGE_MODEL_TIMEOUT_MS: '2000',
});

const setUp = async (env: Record<string, string> = {}) => {
  const runtime = testRuntime(
    { TRIAGE_LOCAL_LOG_DIR: logDir, ...env },
    { stores: { breakerStates: inMemoryBreakerStore(), lastGood: inMemoryLastGoodCache() } },
  );
  const handler = await route.build(runtime);
  const call = async (
    body: unknown = {},
    headers: Record<string, string> = { 'X-Api-Key': TEST_API_KEY },
  ) => {
    const response = await handler(
      apiGatewayEvent({
        method: 'POST',
        path: '/debug/summarize-errors',
        headers: { 'Content-Type': 'application/json', ...headers },
        body: body === undefined ? null : JSON.stringify(body),
      }),
      lambdaContext(),
    );
    // The route allows 3 at once and one more every 20 s: each call moves the clock on by 20 s.
    runtime.clock.advanceMs(20_000);
    return { ...response, json: JSON.parse(response.body) as Record<string, unknown> };
  };
  return { runtime, call };
};

describe('POST /debug/summarize-errors', () => {
  it('answers the grouped, redacted digest without a model, and says no model was used', async () => {
    const { call } = await setUp();
    const response = await call();
    expect(response.statusCode).toBe(200);
    expect(response.headers?.['Cache-Control']).toBe('no-store');
    expect(response.json).toMatchObject({
      source: 'local-files',
      model: null,
      summary: null,
      likely_causes: [],
      note: noModelNote,
      degraded: false,
      lines_read: 3,
      error_lines: 3,
      groups_total: 2,
    });
    expect((response.json.groups as { count: number }[]).map((group) => group.count)).toEqual([2, 1]);
    for (const secret of Object.values(seededSecrets))
      expect(response.body).not.toContain(secret.replace('Bearer ', ''));
    expect(standIn.received).toHaveLength(0);
  });

  it('asks the model through Converse with the digest as delimited data, no tools and a token cap', async () => {
    const { call, runtime } = await setUp(modelEnv());
    const response = await call({ window_minutes: 30, limit: 50 });
    expect(response.statusCode).toBe(200);
    expect(response.json).toMatchObject({
      model: 'eu.anthropic.claude-haiku-4-5-20251001-v1:0',
      summary: 'Stand-in summary of the errors.',
      likely_causes: ['A stand-in cause'],
      degraded: false,
    });
    const [sent] = standIn.received;
    expect(sent?.modelId).toBe('eu.anthropic.claude-haiku-4-5-20251001-v1:0');
    expect(sent?.signed).toBe(true);
    expect(sent?.body.toolConfig).toBeUndefined();
    expect(sent?.body.inferenceConfig).toEqual({ maxTokens: 800, temperature: 0 });
    expect(sent?.body.outputConfig).toMatchObject({ textFormat: { type: 'json_schema' } });
    expect(sent?.prompt).toContain('<log-digest>');
    for (const secret of Object.values(seededSecrets))
      expect(sent?.prompt).not.toContain(secret.replace('Bearer ', ''));
    expect(runtime.logs.messages()).toContain('errors summarised');
  });

  it('serves the last good answer as degraded when the model fails, hangs or answers prose, then 503 once it is too old', async () => {
    const { call, runtime } = await setUp({ ...modelEnv(), TRIAGE_CACHE_MAX_AGE_SECONDS: '600' });
    expect((await call()).json.degraded).toBe(false);
    runtime.clock.advanceMs(70_000);
    let age = 90;
    for (const mode of [
      { kind: 'fail' },
      { kind: 'hang' },
      { kind: 'text', text: 'Everything is fine.' },
    ] as const) {
      standIn.setMode(mode);
      const degraded = await call();
      expect(degraded.statusCode, mode.kind).toBe(200);
      expect(degraded.json, mode.kind).toMatchObject({
        degraded: true,
        age_seconds: age,
        summary: 'Stand-in summary of the errors.',
      });
      age += 20;
    }
    // Three failures opened the circuit: the next request does not reach the model at all.
    const before = standIn.received.length;
    expect((await call()).json.degraded).toBe(true);
    expect(standIn.received).toHaveLength(before);
    expect(runtime.counted().map((metric) => metric.name)).toEqual(
      expect.arrayContaining(['breaker_opened', 'breaker_rejected', 'breaker_fallback_served']),
    );
    runtime.clock.advanceMs(600_000);
    const refused = await call();
    expect(refused.statusCode).toBe(503);
    expect(refused.headers?.['Content-Type']).toBe('application/problem+json');
    expect(refused.json.type).toBe('urn:bulwark:problem:triage-unavailable');
    expect(Number(refused.headers?.['Retry-After'])).toBeGreaterThanOrEqual(1);
  });

  it('answers 503 triage-unavailable with Retry-After when the model fails and nothing is cached for the shape', async () => {
    const { call } = await setUp(modelEnv());
    standIn.setMode({ kind: 'fail', status: 500, type: 'InternalServerException' });
    const response = await call({ window_minutes: 15 });
    expect(response.statusCode).toBe(503);
    expect(response.json).toMatchObject({ type: 'urn:bulwark:problem:triage-unavailable', status: 503 });
    expect(response.headers?.['Retry-After']).toBe('5');
  });

  it('retries once without structured output for a model that refuses it, and remembers', async () => {
    const { call } = await setUp(modelEnv());
    standIn.setMode({ kind: 'reject-structured-output' });
    expect((await call()).json.summary).toBe('Stand-in summary.');
    expect((await call({ limit: 10 })).statusCode).toBe(200);
    expect(standIn.received.map((request) => request.body.outputConfig === undefined)).toEqual([
      false,
      true,
      true,
    ]);
  });

  it('is for admins only, and its body is strict', async () => {
    const { call, runtime } = await setUp();
    const { token } = await issueTestAccessToken(runtime, { roles: ['user'] });
    expect((await call({}, { Authorization: `Bearer ${token}` })).statusCode).toBe(403);
    expect((await call({}, {})).statusCode).toBe(401);
    for (const body of [
      { window_minutes: 0 },
      { limit: 1001 },
      { window_minutes: '60' },
      { since: 'yesterday' },
    ]) {
      const response = await call(body);
      expect(response.statusCode, JSON.stringify(body)).toBe(422);
    }
    expect((await call(undefined)).statusCode).toBe(200);
  });
});
