/**
 * Every function as the stack deploys it (the stack's esbuild options, then its bundling hook) starts in a
 * fresh Node process against DynamoDB Local and the local Secrets Manager, over HTTPS as on AWS, and
 * answers its representative first request as expected: the cold-start bench's setup, one run, no
 * timings asserted (figures live in docs/benchmarks.md).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bundleEntry,
  deployedFunctionIds,
  type FunctionBundle,
} from '../../../bench/build-function-bundles.js';
import { type ColdStartStack, startColdStartStack } from '../../../bench/cold-start/cold-start-stack.js';
import { type ColdStartResult, measureColdStarts } from '../../../bench/cold-start/measure-cold-starts.js';
import { functionEntry } from '../../../shared/routes/route-table.js';

let workDir: string;
let stack: ColdStartStack | undefined;
const bundles: FunctionBundle[] = [];
let results: ColdStartResult[] = [];

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'bulwark-deployed-bundles-'));
  for (const id of deployedFunctionIds())
    bundles.push(await bundleEntry(process.cwd(), id, functionEntry(id), join(workDir, 'bundles')));
  stack = await startColdStartStack(workDir);
  const started = stack;
  // measureColdStarts throws when a child fails or answers with another status than the one expected.
  results = await measureColdStarts(
    workDir,
    bundles.map((bundle) => ({
      id: bundle.id,
      file: bundle.outfile,
      env: { AWS_LAMBDA_FUNCTION_NAME: `bulwark-test-${bundle.id}` },
      request: started.requestFor(bundle.id),
    })),
    started.environment,
    { runs: 1, warmupRuns: 0, counters: started.counters },
  );
}, 240_000);

afterAll(async () => {
  await stack?.stop();
  await rm(workDir, { recursive: true, force: true });
});

describe('the deployed bundles', () => {
  it('start and answer their first request, every function of the route table and the gateway', () => {
    expect(results.map((result) => result.id)).toEqual(deployedFunctionIds());
    // The answers were checked as they came (status and body per function, cold-start-stack.ts).
    for (const result of results) expect(result.samples, result.id).toBe(1);
    const statuses = new Set(results.map((result) => result.lastAnswer?.status));
    expect([...statuses].sort()).toEqual(expect.arrayContaining([200, 201, 204]));
  });

  it('answer with the chain’s headers: a request id and the security headers', () => {
    const answer = results.find((result) => result.id === 'current-user')?.lastAnswer;
    expect(answer?.status).toBe(200);
    const headers = Object.fromEntries(
      Object.entries(answer?.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
    );
    expect(headers['x-request-id']).toEqual(expect.any(String));
    expect(headers['strict-transport-security']).toEqual(expect.any(String));
    expect(headers['content-type']).toMatch(/^application\/json/);
  });
});
