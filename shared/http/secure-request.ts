import type { MiddlewareObj, Request } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { Principal } from '../auth/principal.js';
import type { RequestLogger } from '../logging/request-logger.js';

/** What the security chain learns about a request, for later middlewares and the route handler. */
export interface RequestState {
  readonly requestId: string;
  readonly log: RequestLogger;
  clientIp: string;
  principal: Principal | undefined;
  body: unknown;
  /**
   * Keys that must not exist for the credential to stand (a session's revocation marker). The rate
   * limiter proves their absence in the same write that spends quota.
   */
  revocationGuards: readonly string[];
  /**
   * An API key verified from a record this instance may have cached: the rate limiter keeps the key's
   * state on that record and proves it still at `version` in the same write (ADR 0005). When the proof
   * fails, `refresh` verifies the key again from a fresh read (replacing the principal and this proof,
   * or throwing its 401) and the limiter decides anew.
   */
  apiKeyProof?: ApiKeyProof;
  /** Headers a middleware wants on the response whatever it turns out to be (success or problem). */
  readonly responseHeaders: Record<string, string>;
}

export interface ApiKeyProof {
  readonly keyId: string;
  readonly version: number;
  /** The record came from the instance's cache: nothing has read it during this request. */
  readonly fromCache: boolean;
  readonly refresh: () => Promise<void>;
}

export interface BulwarkContext extends Context {
  bulwark: RequestState;
}

export type SecureRequest = Request<APIGatewayProxyEvent, APIGatewayProxyResult, Error, BulwarkContext>;
export type SecureMiddleware = MiddlewareObj<
  APIGatewayProxyEvent,
  APIGatewayProxyResult,
  Error,
  BulwarkContext
>;

/** Headers are lowercased by the header normalizer, which runs first in the chain. */
export const headerOf = (request: SecureRequest, name: string): string | undefined =>
  request.event.headers?.[name] ?? undefined;

/**
 * Every value a header arrived with. API Gateway keeps only the last of repeated header lines in
 * `headers`; `multiValueHeaders` has them all, which is what a credential check must look at.
 */
export const headerValuesOf = (request: SecureRequest, name: string): readonly string[] => {
  const values = request.event.multiValueHeaders?.[name];
  if (values !== undefined && values !== null) return values.filter((value) => value !== undefined);
  const single = headerOf(request, name);
  return single === undefined ? [] : [single];
};
