/**
 * Log triage from outside: `npm start` with a model pointed at the local Converse stand-in. The stack
 * keeps its own structured logs under .local/logs, where a user may also drop a log of their own (here
 * one full of secrets). The route answers with the model's summary, serves that answer as degraded while
 * the stand-in fails and then hangs, and recovers; nothing the stand-in received holds a seeded secret.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConverseStandIn, startConverseStandIn } from '../support/converse-stand-in.js';
import { type LocalStack, startLocalStack } from '../support/local-stack-process.js';

const modelId = 'eu.anthropic.claude-haiku-4-5-20251001-v1:0';
const modelTimeoutMs = 3_000;
const seeded = {
  apiKey: 'bwk_qrstuvwxyzabcdefghij:U2VlZGVkLXNlY3JldC1vZi10aGUtZHJvcHBlZC1sb2c',
  jwt: 'eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJzZWVkZWQtdXNlciJ9.c2VlZGVkLXNpZ25hdHVyZS12YWx1ZS0wMDE',
  bearer: 'Bearer seeded-bearer-token-value-e2e',
  email: 'dana.seeded@example.net',
  awsKey: 'AKIASEEDEDSEEDED0001',
  refresh: 'brt_AAAAAAAAAAAAAAAAAAAAAA.c2VlZGVkLXJlZnJlc2gtc2VjcmV0LXZhbHVlLTAwMDAwMDA',
  password: 'seeded-password-hunter2-e2e',
};
const secretParts = [
  seeded.apiKey.split(':')[1],
  seeded.jwt.split('.')[2],
  seeded.bearer.replace('Bearer ', ''),
  seeded.email,
  seeded.awsKey,
  seeded.refresh.split('.')[1],
  seeded.password,
] as string[];

let standIn: ConverseStandIn;
let stack: LocalStack;
let accessToken: string;

const triage = async (credential: Record<string, string>) => {
  const started = performance.now();
  const response = await fetch(`${stack.baseUrl}/debug/summarize-errors`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...credential },
    body: JSON.stringify({ window_minutes: 30 }),
    signal: AbortSignal.timeout(20_000),
  });
  const body = (await response.json()) as Record<string, unknown>;
  return { status: response.status, headers: response.headers, body, elapsedMs: performance.now() - started };
};

beforeAll(async () => {
  standIn = await startConverseStandIn();
  stack = await startLocalStack({
    TRIAGE_MODEL_ID: modelId,
    TRIAGE_BEDROCK_ENDPOINT: standIn.endpoint,
    TRIAGE_MODEL_TIMEOUT_MS: String(modelTimeoutMs),
  });
  const now = Date.now();
  const line = (minutesAgo: number, fields: Record<string, unknown>) =>
    JSON.stringify({
      level: 'ERROR',
      timestamp: new Date(now - minutesAgo * 60_000).toISOString(),
      service: 'bulwark',
      ...fields,
    });
  await writeFile(
    join(stack.localDir, 'logs', 'dropped-in.jsonl'),
    [
      line(4, {
        message: `login failed for ${seeded.email}`,
        route: 'login',
        error_name: 'DependencyUnavailableError',
        authorization: seeded.bearer,
      }),
      line(3, {
        message: `login failed for ${seeded.email}`,
        route: 'login',
        error_name: 'DependencyUnavailableError',
        password: seeded.password,
      }),
      line(2, {
        message: `replayed ${seeded.refresh} with ${seeded.jwt}`,
        route: 'refresh-token',
        error_name: 'TypeError',
      }),
      line(1, {
        message: `key ${seeded.apiKey} refused; upstream ${seeded.awsKey}: ${seeded.bearer}`,
        route: 'current-user',
        error_name: 'Error',
      }),
      JSON.stringify({ level: 'INFO', message: 'not an error', timestamp: new Date(now).toISOString() }),
    ].join('\n'),
  );
  const login = await fetch(`${stack.baseUrl}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(stack.admin),
  });
  accessToken = ((await login.json()) as { access_token: string }).access_token;
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  await standIn?.stop();
});

describe('POST /debug/summarize-errors on npm start', () => {
  it('keeps the stack own structured logs as JSON lines under .local/logs', async () => {
    const files = await readdir(join(stack.localDir, 'logs'));
    const own = files.find((name) => /^bulwark-\d{4}-\d{2}-\d{2}\.jsonl$/.test(name));
    expect(own).toBeDefined();
    const lines = (await readFile(join(stack.localDir, 'logs', own ?? ''), 'utf8')).trim().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const text of lines) expect(typeof (JSON.parse(text) as { level?: unknown }).level).toBe('string');
  });

  it('answers, serves the cached answer as degraded while the model fails and hangs, then recovers', async () => {
    const apiKey = { 'x-api-key': stack.apiKey };
    const fresh = await triage(apiKey);
    expect(fresh.status).toBe(200);
    expect(fresh.body).toMatchObject({
      model: modelId,
      summary: 'Stand-in summary of the errors.',
      degraded: false,
      source: 'local-files',
    });
    expect(fresh.body.error_lines).toBeGreaterThanOrEqual(4);
    expect(standIn.received).toHaveLength(1);

    standIn.setMode({ kind: 'fail' });
    const failed = await triage(apiKey);
    expect(failed.status).toBe(200);
    expect(failed.body).toMatchObject({ degraded: true, summary: 'Stand-in summary of the errors.' });
    expect(typeof failed.body.age_seconds).toBe('number');

    standIn.setMode({ kind: 'hang' });
    const hung = await triage(apiKey);
    expect(hung.status).toBe(200);
    expect(hung.body).toMatchObject({ degraded: true });
    // Cut off by TRIAGE_MODEL_TIMEOUT_MS, not by the client or a Lambda timeout.
    expect(hung.elapsedMs).toBeGreaterThanOrEqual(modelTimeoutMs - 50);
    expect(hung.elapsedMs).toBeLessThan(modelTimeoutMs + 8_000);

    standIn.setMode({ kind: 'answer', summary: 'Recovered summary.' });
    const recovered = await triage({ authorization: `Bearer ${accessToken}` });
    expect(recovered.status).toBe(200);
    expect(recovered.body).toMatchObject({ degraded: false, summary: 'Recovered summary.' });
  }, 60_000);

  it('sent the model no secret from the logs, only the redacted digest between its delimiters', () => {
    expect(standIn.received.length).toBeGreaterThanOrEqual(4);
    for (const request of standIn.received) {
      expect(request.modelId).toBe(modelId);
      expect(request.prompt).toContain('<log-digest>');
      for (const part of secretParts) expect(request.prompt).not.toContain(part);
    }
    expect(standIn.received[0]?.prompt).toContain('[REDACTED:email]');
  });
});
