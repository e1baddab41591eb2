/**
 * `npm run test:api:smoke`: a fast black-box smoke suite (seconds) against a running stack: `--url` or
 * BULWARK_URL, else the local stack's .local/bootstrap.json (`npm start`). With an admin or health API
 * key (BULWARK_API_KEY, or the local bootstrap's) it also checks GET /health/full. Prints one line per
 * check and `N passed, N failed`; exits 1 if any failed. Read-only: it creates, changes and deletes nothing.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { url: { type: 'string' } } });
const bootstrap = (await readFile(
  resolve(process.env.BULWARK_LOCAL_DIR ?? '.local', 'bootstrap.json'),
  'utf8',
).then(JSON.parse, () => ({}))) as { baseUrl?: string; apiKey?: string };
const base = values.url ?? process.env.BULWARK_URL ?? bootstrap.baseUrl;
if (base === undefined) {
  console.error('test:api:smoke: no stack: pass --url, set BULWARK_URL, or run `npm start` first');
  process.exit(2);
}
const baseUrl = base.endsWith('/') ? base : `${base}/`;
const apiKey =
  process.env.BULWARK_API_KEY ??
  (values.url === undefined && process.env.BULWARK_URL === undefined ? bootstrap.apiKey : undefined);
const apiKeyHeader = process.env.BULWARK_API_KEY_HEADER ?? 'x-api-key';

interface Answer {
  readonly status: number;
  readonly type: string;
  readonly body: Record<string, unknown>;
  readonly requestId: string | null;
}

const call = async (path: string, init: RequestInit = {}): Promise<Answer> => {
  const response = await fetch(new URL(path, baseUrl), {
    ...init,
    headers: { 'x-request-id': `smoke-${randomUUID()}`, ...(init.headers as Record<string, string>) },
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  return {
    status: response.status,
    type: response.headers.get('content-type') ?? '',
    body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
    requestId: response.headers.get('x-request-id'),
  };
};

const checks: [string, () => Promise<string | undefined>][] = [
  [
    'GET /health answers 200 {"status":"ok"} with the request id echoed',
    async () => {
      const answer = await call('health');
      if (answer.status !== 200 || answer.body.status !== 'ok') return `got ${answer.status}`;
      return answer.requestId?.startsWith('smoke-') ? undefined : 'x-request-id not echoed';
    },
  ],
  [
    'GET /.well-known/jwks.json publishes at least one Ed25519 key and no private part',
    async () => {
      const answer = await call('.well-known/jwks.json');
      const keys = answer.body.keys as { crv?: string; d?: string }[] | undefined;
      if (answer.status !== 200 || !Array.isArray(keys) || keys.length === 0) return `got ${answer.status}`;
      return keys.every((key) => key.crv === 'Ed25519' && key.d === undefined)
        ? undefined
        : 'unexpected key material';
    },
  ],
  [
    'GET /api/v1/user/me without a credential is 401 problem+json',
    async () => {
      const answer = await call('api/v1/user/me');
      return answer.status === 401 &&
        answer.type.startsWith('application/problem+json') &&
        answer.body.type === 'urn:bulwark:problem:unauthenticated'
        ? undefined
        : `got ${answer.status} ${String(answer.body.type)}`;
    },
  ],
  [
    'an unknown path is 404 problem+json',
    async () => {
      const answer = await call(`no-such-path-${randomUUID()}`);
      return answer.status === 404 && answer.body.type === 'urn:bulwark:problem:not-found'
        ? undefined
        : `got ${answer.status}`;
    },
  ],
  [
    'GET /health/full is refused without a credential',
    async () => {
      const answer = await call('health/full');
      return answer.status === 401 ? undefined : `got ${answer.status}`;
    },
  ],
  [
    'GET /health/full with the API key: every component ok (needs BULWARK_API_KEY with admin or health)',
    async () => {
      if (apiKey === undefined) return 'SKIP';
      const answer = await call('health/full', { headers: { [apiKeyHeader]: apiKey } });
      const components = (answer.body.components ?? {}) as Record<string, { status?: string }>;
      if (answer.status !== 200) return `got ${answer.status} ${String(answer.body.detail ?? '')}`;
      const down = Object.entries(components).filter(([, component]) => component.status !== 'ok');
      return down.length === 0 ? undefined : `not ok: ${down.map(([name]) => name).join(', ')}`;
    },
  ],
];

let passed = 0;
let failed = 0;
for (const [name, check] of checks) {
  let outcome: string | undefined;
  try {
    outcome = await check();
  } catch (error) {
    outcome = error instanceof Error ? `${error.name}: ${error.message}` : 'failed';
  }
  if (outcome === 'SKIP') console.log(`SKIP ${name}`);
  else if (outcome === undefined) {
    passed += 1;
    console.log(`PASS ${name}`);
  } else {
    failed += 1;
    console.log(`FAIL ${name}: ${outcome}`);
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
