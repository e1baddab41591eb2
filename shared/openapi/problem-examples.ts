import { ApiKeyNotFoundError } from '../domain/api-keys/api-key-errors.js';
import {
  CredentialsInvalidError,
  CredentialsMissingError,
  LoginThrottledError,
  RefreshSupersededError,
  RoleMissingError,
} from '../errors/auth-errors.js';
import { edgeAnswers } from '../errors/edge-answers.js';
import {
  type GatewayCatchAllCode,
  gatewayCatchAllProblemTypes,
  type ProblemCode,
  problemTypes,
  problemTypeUri,
} from '../errors/problem-types.js';
import { LimiterUnavailableError, QuotaExceededError } from '../errors/rate-limit-errors.js';
import {
  ConnectionRevokedError,
  DatasourceDeletedError,
  SubscriptionLimitError,
} from '../errors/realtime-errors.js';
import {
  DependencyUnavailableError,
  HostUntrustedError,
  JsonMalformedError,
  MediaTypeUnsupportedError,
  MethodNotAllowedError,
  RequestBodyTooLargeError,
  RequestMalformedError,
  RequestValidationError,
  TriageUnavailableError,
} from '../errors/request-errors.js';
import { UserAlreadyExistsError } from '../errors/user-already-exists-error.js';
import { UserChangedError } from '../errors/user-errors.js';
import { problemResponse } from '../http/problem-response.js';

const exampleRequestId = '5f0c3c1e-3a5e-4c7b-9d0e-0d6f2b1f6a11';

/**
 * For each catalogue code, the error that raises it, built from the real error class, so an example's
 * title, status, detail and headers are exactly what a client receives. A new code needs an entry (tsc).
 */
const exampleErrors = (apiKeyHeader: string): { readonly [C in ProblemCode]: unknown } => ({
  'malformed-request': new RequestMalformedError('Invalid request body'),
  'malformed-json': new JsonMalformedError(),
  'untrusted-host': new HostUntrustedError(),
  unauthenticated: new CredentialsMissingError(apiKeyHeader),
  'invalid-credentials': new CredentialsInvalidError('example'),
  // The realtime gateway's codes travel in WebSocket error frames, never in an HTTP answer.
  'connection-revoked': new ConnectionRevokedError(),
  forbidden: new RoleMissingError(),
  'request-blocked': edgeAnswers['request-blocked'],
  'not-found': new ApiKeyNotFoundError('missing'),
  'method-not-allowed': new MethodNotAllowedError(['GET', 'OPTIONS']),
  'user-already-exists': new UserAlreadyExistsError(),
  conflict: new UserChangedError(),
  'refresh-superseded': new RefreshSupersededError(),
  'subscription-limit': new SubscriptionLimitError(10),
  'datasource-deleted': new DatasourceDeletedError(),
  'body-too-large': new RequestBodyTooLargeError(65_536),
  'unsupported-media-type': new MediaTypeUnsupportedError(),
  'validation-failed': new RequestValidationError([
    { path: '/username', message: 'must be at least 3 characters' },
  ]),
  'quota-exceeded': new QuotaExceededError({ 'Retry-After': '17' }),
  'login-throttled': new LoginThrottledError(4),
  'api-throttled': edgeAnswers['api-throttled'],
  // Anything that is not a BulwarkError is answered as a generic 500.
  'internal-error': new Error('example'),
  'bad-gateway': edgeAnswers['bad-gateway'],
  'service-unavailable': new DependencyUnavailableError('dynamodb', undefined),
  'limiter-unavailable': new LimiterUnavailableError(5, undefined),
  'triage-unavailable': new TriageUnavailableError(30, undefined),
  'gateway-timeout': edgeAnswers['gateway-timeout'],
});

export interface ProblemExample {
  readonly summary: string;
  readonly value: Readonly<Record<string, unknown>>;
}

/** The body a client receives for `code`: from problemResponse() itself, or API Gateway's template. */
export const problemExamplesOf = (apiKeyHeader: string): { readonly [C in ProblemCode]: ProblemExample } => {
  const errors = exampleErrors(apiKeyHeader);
  return Object.fromEntries(
    (Object.keys(problemTypes) as ProblemCode[]).map((code) => {
      const error = errors[code];
      const { status, title } = problemTypes[code];
      const value =
        error instanceof Error
          ? (JSON.parse(problemResponse(error, exampleRequestId).body) as Record<string, unknown>)
          : {
              type: problemTypeUri(code),
              title,
              status,
              detail: (error as { detail: string }).detail,
              request_id: exampleRequestId,
            };
      if (value.type !== problemTypeUri(code))
        throw new TypeError(`the example of ${code} answers ${String(value.type)}`);
      return [code, { summary: title, value }];
    }),
  ) as { [C in ProblemCode]: ProblemExample };
};

/** API Gateway's catch-alls: its own message as `detail`, no `status` (ADR 0012). */
export const gatewayCatchAllExamples: { readonly [C in GatewayCatchAllCode]: ProblemExample } = {
  'gateway-4xx': {
    summary: gatewayCatchAllProblemTypes['gateway-4xx'].title,
    value: {
      type: problemTypeUri('gateway-4xx'),
      title: gatewayCatchAllProblemTypes['gateway-4xx'].title,
      detail: 'Invalid request body',
      request_id: exampleRequestId,
    },
  },
  'gateway-5xx': {
    summary: gatewayCatchAllProblemTypes['gateway-5xx'].title,
    value: {
      type: problemTypeUri('gateway-5xx'),
      title: gatewayCatchAllProblemTypes['gateway-5xx'].title,
      detail: 'The API gateway could not complete the request. Quote the request id when reporting it.',
      request_id: exampleRequestId,
    },
  },
};
