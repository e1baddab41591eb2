/**
 * `npm run probe:health`: the deployed probe's check, by hand. Calls GET /health/full of `--url`,
 * BULWARK_URL or the local stack (.local/bootstrap.json) with a health-role key from BULWARK_API_KEY or
 * the local stack's bootstrap (`healthApiKey`), prints one line and exits 0 when healthy, 1 otherwise.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { probeFullHealth } from '../shared/domain/health/probe-full-health.js';

const { values } = parseArgs({ options: { url: { type: 'string' } } });
const bootstrapFile = resolve(process.env.BULWARK_LOCAL_DIR ?? '.local', 'bootstrap.json');
const bootstrap = (await readFile(bootstrapFile, 'utf8').then(JSON.parse, () => ({}))) as {
  baseUrl?: string;
  healthApiKey?: string;
};
const baseUrl = values.url ?? process.env.BULWARK_URL ?? bootstrap.baseUrl;
if (baseUrl === undefined) {
  console.error(
    `probe:health: no URL (--url, BULWARK_URL, or start the local stack: ${join('.local', 'bootstrap.json')})`,
  );
  process.exit(2);
}
const result = await probeFullHealth({
  baseUrl: baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`,
  apiKey: async () => process.env.BULWARK_API_KEY ?? bootstrap.healthApiKey,
  apiKeyHeader: process.env.BULWARK_API_KEY_HEADER ?? 'x-api-key',
  fetch,
  clock: { nowMs: Date.now },
  timeoutMs: 10_000,
  newId: randomUUID,
});
console.log(
  `${result.ok ? 'HEALTHY' : 'UNHEALTHY'} status=${result.status ?? '-'} latency_ms=${result.latencyMs}` +
    `${result.reason === undefined ? '' : ` reason=${result.reason}`} request_id=${result.requestId}`,
);
process.exit(result.ok ? 0 : 1);
