import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { type RequestLogger, requestLogger } from '../logging/request-logger.js';
import type { GatewayFunction } from '../routes/realtime-gateway.js';
import type { Runtime } from '../runtime/runtime.js';

/** What a gateway handler gets besides its event: a request id and a logger stamped with it. */
export interface GatewayInvocation {
  readonly requestId: string;
  readonly log: RequestLogger;
}

export type GatewayHandle<E, R> = (event: E, invocation: GatewayInvocation) => Promise<R>;

/** One gateway function's code; `build(runtime)` returns what Lambda calls, as a route module does. */
export interface GatewayModule<Id extends string, E, R> {
  readonly id: Id;
  readonly build: (runtime: Runtime) => Promise<(event: E, context: Context) => Promise<R>>;
}

const safeRequestId = /^[A-Za-z0-9._=+/-]{1,128}$/;

/**
 * A gateway function of `table`: `setup(runtime)` runs once per process (cold start) and returns the
 * handle. Each invocation gets API Gateway's request id (or a fresh one) and a logger that stamps it.
 * The handle must answer every failure itself (a problem for the client); a throw reaching here is a
 * bug or, for the stream function, the signal to retry the batch.
 */
export const gatewayModule = <const Id extends string, E extends object, R>(
  table: readonly GatewayFunction[],
  id: Id,
  setup: (runtime: Runtime) => GatewayHandle<E, R> | Promise<GatewayHandle<E, R>>,
): GatewayModule<Id, E, R> => ({
  id,
  build: async (runtime) => {
    if (!table.some((fn) => fn.id === id)) throw new TypeError(`No gateway function with id "${id}"`);
    const handle = await setup(runtime);
    return (event, context) => {
      const inbound = (event as { readonly requestContext?: { readonly requestId?: unknown } }).requestContext
        ?.requestId;
      const requestId =
        typeof inbound === 'string' && safeRequestId.test(inbound)
          ? inbound
          : (context.awsRequestId ?? randomUUID());
      return handle(event, { requestId, log: requestLogger(runtime.logger, requestId) });
    };
  },
});
