import type * as z from 'zod';
import type { CredentialKind } from '../auth/principal.js';
import type { ProblemCode } from '../errors/problem-types.js';

export type { CredentialKind } from '../auth/principal.js';

/** The statuses a route's own handler answers with when it succeeds. */
export type SuccessStatus = 200 | 201 | 202 | 204;

/** One success answer of a route, as its handler returns it. */
export interface ResponseContract {
  /** What this answer means, for the API's readers. */
  readonly description: string;
  /** The JSON body (`application/json`); absent: the answer has no body (204). */
  readonly body?: z.core.$ZodType;
  /** Headers the handler itself sets (the chain's own, such as x-request-id and RateLimit, come anyway). */
  readonly headers?: z.core.$ZodObject;
}

export type RouteResponses = Readonly<Partial<Record<SuccessStatus, ResponseContract>>>;

/**
 * What a route module declares about its own requests and answers, next to its code. The OpenAPI document
 * (shared/openapi/) is generated from it and the route table; everything the chain adds (authentication,
 * rate-limit headers, the problems each middleware raises) is derived from the route's entry, not declared.
 */
export interface RouteContractOptions {
  /** Every success answer the handler gives, by status. */
  readonly responses: RouteResponses;
  /**
   * Problem codes the handler itself (or the domain code it calls) can throw, beyond those the chain
   * raises: `user-already-exists`, `not-found` for an unknown id, ...
   */
  readonly problems?: readonly ProblemCode[];
  /**
   * The query parameters the handler reads, as the schema it validates them with (the chain does not read
   * the query string): documented as the operation's query parameters.
   */
  readonly query?: z.core.$ZodObject;
}

/** A route module's contract as the generator reads it (`secureRoute`/`publicRoute` fill it in). */
export interface RouteContract extends RouteContractOptions {
  /** The strict JSON body schema, when the route takes a body. */
  readonly body?: z.core.$ZodType;
  /** A missing body is accepted (validated as the route's `emptyBody`). */
  readonly bodyOptional: boolean;
  /** Authenticated routes that accept fewer credential kinds than API_AUTH_STRATEGY offers. */
  readonly accepts?: readonly CredentialKind[];
}
