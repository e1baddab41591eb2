import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { authenticationFor } from '../shared/chain/authentication-for.js';
import { createSecureHandler } from '../shared/chain/create-secure-handler.js';
import { createUserInput } from '../shared/domain/users/create-user-input.js';
import { jsonResponse } from '../shared/http/json-response.js';
import type { BulwarkContext } from '../shared/http/secure-request.js';
import { benchEvent } from './bench-event.js';
import { benchRuntime } from './bench-runtime.js';
import { lambdaContext } from './lambda-context.js';
import { type LatencyStats, latencyStats } from './latency-stats.js';

type Invoke = (event: APIGatewayProxyEvent, context: BulwarkContext) => Promise<APIGatewayProxyResult>;

interface Variant {
  readonly id: string;
  readonly label: string;
  readonly expectedStatus: number;
  readonly invoke: Invoke;
  readonly event: (sequence: number) => APIGatewayProxyEvent;
}

export interface ChainVariantResult {
  readonly id: string;
  readonly label: string;
  readonly status: number;
  readonly stats: LatencyStats;
  /** Variant minus the bare handler, in microseconds; undefined for the bare handler itself. */
  readonly overheadP50Us: number | undefined;
  readonly overheadP99Us: number | undefined;
}

export interface ChainOverheadOptions {
  readonly warmupIterations: number;
  readonly rounds: number;
  readonly iterationsPerRound: number;
}

export interface ChainOverheadResult {
  readonly options: ChainOverheadOptions;
  readonly variants: readonly ChainVariantResult[];
}

const validUser = JSON.stringify({
  username: 'ada.lovelace',
  password: 'correct horse battery staple',
  email: 'ada@example.com',
  roles: ['user'],
});
/** Three schema violations, so the 422 carries a realistic field-error list. */
const invalidUser = JSON.stringify({ username: 'Ada Lovelace!', password: 'short', roles: ['root'] });

const buildVariants = async (): Promise<Variant[]> => {
  const { runtime, apiKey } = await benchRuntime();
  const health = { status: 'ok' };
  const bare: Invoke = async () => jsonResponse(200, health);
  const publicRoute = await createSecureHandler(runtime, { routeId: 'health', auth: 'public' }, async () =>
    jsonResponse(200, health),
  );
  const jsonRoute = await createSecureHandler(
    runtime,
    {
      routeId: 'create-user',
      auth: 'required',
      // API keys carry no session, so there is no revocation marker to read without a limiter.
      authentication: { ...(await authenticationFor(runtime)), isSessionRevoked: async () => false },
      body: createUserInput,
    },
    async ({ body }) =>
      jsonResponse(201, {
        id: '0f8fad5b-d9cb-469f-a165-70867728950e',
        username: body.username,
        roles: body.roles ?? ['user'],
        created_at: new Date(runtime.clock.nowMs()).toISOString(),
      }),
  );
  const healthEvent = (sequence: number) => benchEvent({ method: 'GET', path: '/health', sequence });
  const userEvent = (body: string) => (sequence: number) =>
    benchEvent({
      method: 'POST',
      path: '/api/v1/user',
      headers: { 'Content-Type': 'application/json; charset=utf-8', 'X-Api-Key': apiKey },
      body,
      sequence,
    });
  return [
    { id: 'bare', label: '(a) bare handler', expectedStatus: 200, invoke: bare, event: healthEvent },
    {
      id: 'public',
      label: '(b) chain, public GET',
      expectedStatus: 200,
      invoke: publicRoute,
      event: healthEvent,
    },
    {
      id: 'json-auth',
      label: '(c) chain, API key + JSON schema',
      expectedStatus: 201,
      invoke: jsonRoute,
      event: userEvent(validUser),
    },
    {
      id: 'rejected',
      label: '(d) chain, 422 rejected body',
      expectedStatus: 422,
      invoke: jsonRoute,
      event: userEvent(invalidUser),
    },
  ];
};

/** Runs `count` timed invocations, writing each latency (ns) into `samples` from `offset`. */
const runBatch = async (
  variant: Variant,
  count: number,
  samples: Float64Array | undefined,
  offset: number,
  sequenceStart: number,
): Promise<void> => {
  for (let index = 0; index < count; index += 1) {
    const sequence = sequenceStart + index;
    const event = variant.event(sequence);
    const context = lambdaContext(sequence);
    const start = process.hrtime.bigint();
    const response = await variant.invoke(event, context);
    const end = process.hrtime.bigint();
    if (response.statusCode !== variant.expectedStatus) {
      throw new Error(
        `${variant.label}: expected ${variant.expectedStatus}, got ${response.statusCode}: ${response.body}`,
      );
    }
    if (samples !== undefined) samples[offset + index] = Number(end - start);
  }
};

/**
 * Per-request latency of the bare handler and of three paths through the security chain, measured in
 * the same process. Variants run in interleaved rounds (rotating which goes first) so drift, JIT and GC
 * pressure spread over all of them rather than favouring whichever ran last.
 */
export const measureChainOverhead = async (options: ChainOverheadOptions): Promise<ChainOverheadResult> => {
  const variants = await buildVariants();
  let sequence = 0;
  for (const variant of variants) {
    await runBatch(variant, options.warmupIterations, undefined, 0, sequence);
    sequence += options.warmupIterations;
  }
  const total = options.rounds * options.iterationsPerRound;
  const samples = variants.map(() => new Float64Array(total));
  for (let round = 0; round < options.rounds; round += 1) {
    for (let step = 0; step < variants.length; step += 1) {
      const position = (round + step) % variants.length;
      const variant = variants[position] as Variant;
      await runBatch(
        variant,
        options.iterationsPerRound,
        samples[position],
        round * options.iterationsPerRound,
        sequence,
      );
      sequence += options.iterationsPerRound;
    }
  }
  const stats = samples.map((sample) => latencyStats(sample));
  const bare = stats[0] as LatencyStats;
  return {
    options,
    variants: variants.map((variant, index) => {
      const own = stats[index] as LatencyStats;
      const isBare = index === 0;
      return {
        id: variant.id,
        label: variant.label,
        status: variant.expectedStatus,
        stats: own,
        overheadP50Us: isBare ? undefined : own.p50Us - bare.p50Us,
        overheadP99Us: isBare ? undefined : own.p99Us - bare.p99Us,
      };
    }),
  };
};
