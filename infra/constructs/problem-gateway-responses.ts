import { GatewayResponse, type IRestApi, ResponseType } from 'aws-cdk-lib/aws-apigateway';
import { Construct } from 'constructs';
import { BEARER_CHALLENGE } from '../../shared/errors/auth-errors.js';
import { edgeAnswers } from '../../shared/errors/edge-answers.js';
import {
  type GatewayCatchAllCode,
  gatewayCatchAllProblemTypes,
  type ProblemCode,
  problemTypes,
  problemTypeUri,
} from '../../shared/errors/problem-types.js';

/** `detail` is API Gateway's own message (4xx only: it describes the caller's mistake, not our internals). */
const gatewayMessage = Symbol('gateway message');

interface GatewayProblem {
  readonly type: ResponseType;
  /** Catalogue code; its status becomes the response status (the catch-alls keep API Gateway's). */
  readonly code: ProblemCode | GatewayCatchAllCode;
  readonly detail: string | typeof gatewayMessage;
  /** Static headers only this answer carries. */
  readonly headers?: Readonly<Record<string, string>>;
}

const internalDetail = 'The server could not complete the request. Quote the request id when reporting it.';

/**
 * Every response type API Gateway can answer with by itself, including those this API cannot reach today
 * (authorizers, IAM signatures, API keys, usage plans): answered anyway, so adding one of those features
 * never brings back a bare answer. The infra test compares this list with every type CDK knows.
 */
export const gatewayProblems: readonly GatewayProblem[] = [
  { type: ResponseType.DEFAULT_4XX, code: 'gateway-4xx', detail: gatewayMessage },
  {
    type: ResponseType.DEFAULT_5XX,
    code: 'gateway-5xx',
    detail: 'The API gateway could not complete the request. Quote the request id when reporting it.',
  },
  {
    // Every resource has an ANY method, so this only fires for paths no resource matches.
    type: ResponseType.MISSING_AUTHENTICATION_TOKEN,
    code: 'not-found',
    detail: 'No route matches this path.',
  },
  { type: ResponseType.RESOURCE_NOT_FOUND, code: 'not-found', detail: 'No route matches this path.' },
  { type: ResponseType.BAD_REQUEST_BODY, code: 'malformed-request', detail: gatewayMessage },
  { type: ResponseType.BAD_REQUEST_PARAMETERS, code: 'malformed-request', detail: gatewayMessage },
  {
    type: ResponseType.UNSUPPORTED_MEDIA_TYPE,
    code: 'unsupported-media-type',
    detail: 'API Gateway does not accept a body of this Content-Type.',
  },
  {
    type: ResponseType.UNAUTHORIZED,
    code: 'unauthenticated',
    detail: 'This route requires credentials.',
    headers: { 'WWW-Authenticate': BEARER_CHALLENGE },
  },
  { type: ResponseType.ACCESS_DENIED, code: 'forbidden', detail: 'API Gateway denied access.' },
  { type: ResponseType.EXPIRED_TOKEN, code: 'forbidden', detail: 'API Gateway refused the credentials.' },
  { type: ResponseType.INVALID_SIGNATURE, code: 'forbidden', detail: 'API Gateway refused the credentials.' },
  { type: ResponseType.INVALID_API_KEY, code: 'forbidden', detail: 'API Gateway refused the credentials.' },
  { type: ResponseType.WAF_FILTERED, code: 'request-blocked', ...edgeAnswers['request-blocked'] },
  { type: ResponseType.REQUEST_TOO_LARGE, code: 'body-too-large', ...edgeAnswers['body-too-large'] },
  {
    // Usage-plan quotas run per day, week or month, so no static Retry-After could be right.
    type: ResponseType.QUOTA_EXCEEDED,
    code: 'quota-exceeded',
    detail: 'The usage-plan quota of this API key is used up.',
  },
  { type: ResponseType.THROTTLED, code: 'api-throttled', ...edgeAnswers['api-throttled'] },
  { type: ResponseType.API_CONFIGURATION_ERROR, code: 'internal-error', detail: internalDetail },
  { type: ResponseType.AUTHORIZER_CONFIGURATION_ERROR, code: 'internal-error', detail: internalDetail },
  { type: ResponseType.AUTHORIZER_FAILURE, code: 'internal-error', detail: internalDetail },
  { type: ResponseType.INTEGRATION_FAILURE, code: 'bad-gateway', ...edgeAnswers['bad-gateway'] },
  { type: ResponseType.INTEGRATION_TIMEOUT, code: 'gateway-timeout', ...edgeAnswers['gateway-timeout'] },
];

const isCatchAll = (code: ProblemCode | GatewayCatchAllCode): code is GatewayCatchAllCode =>
  code in gatewayCatchAllProblemTypes;

/** The exact status, or undefined for the catch-alls (a template has no variable holding the status). */
const statusOf = (problem: GatewayProblem): number | undefined =>
  isCatchAll(problem.code) ? undefined : problemTypes[problem.code].status;

/** `DEFAULT_4XX` becomes `Default4xx`: the construct ids the first version of this construct used. */
const constructIdOf = (type: ResponseType): string =>
  type.responseType
    .split('_')
    .map((word) => word.charAt(0) + word.slice(1).toLowerCase())
    .join('');

/**
 * The body template. API Gateway substitutes `$context` variables in it (no VTL), so a `$` in our own text
 * would be read as a variable: refused. messageString is substituted already JSON-quoted.
 */
const bodyTemplate = (problem: GatewayProblem): string => {
  const code = problem.code;
  const title = isCatchAll(code) ? gatewayCatchAllProblemTypes[code].title : problemTypes[code].title;
  const status = statusOf(problem);
  const fixed = [
    `"type":${JSON.stringify(problemTypeUri(code))}`,
    `"title":${JSON.stringify(title)}`,
    ...(status === undefined ? [] : [`"status":${status}`]),
    ...(problem.detail === gatewayMessage ? [] : [`"detail":${JSON.stringify(problem.detail)}`]),
  ];
  if (fixed.some((member) => member.includes('$'))) {
    throw new TypeError(`Gateway problem ${problem.type.responseType}: "$" would be read as a variable`);
  }
  const detail = problem.detail === gatewayMessage ? ['"detail":$context.error.messageString'] : [];
  return `{${[...fixed, ...detail, '"request_id":"$context.requestId"'].join(',')}}`;
};

/** A static header value: single-quoted for API Gateway, which keeps quotes inside (CSP's 'none') as they are. */
const literal = (name: string, value: string): string => {
  if (/[\r\n]/.test(value)) throw new TypeError(`Header ${name} must be a single line`);
  return `'${value}'`;
};

export interface ProblemGatewayResponsesProps {
  readonly api: IRestApi;
  /** Headers every answer carries, unquoted: the static security headers and the static CORS headers. */
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Makes every answer API Gateway gives by itself look like the functions' answers: application/problem+json
 * from the catalogue with the request id in the body and in `x-request-id`, the static security headers and
 * the static CORS headers (ADR 0012).
 */
export class ProblemGatewayResponses extends Construct {
  constructor(scope: Construct, id: string, props: ProblemGatewayResponsesProps) {
    super(scope, id);
    let previous: Construct | undefined;
    for (const problem of gatewayProblems) {
      const status = statusOf(problem);
      const literals = { ...props.headers, 'Content-Type': 'application/problem+json', ...problem.headers };
      const response = new GatewayResponse(this, constructIdOf(problem.type), {
        restApi: props.api,
        type: problem.type,
        ...(status === undefined ? {} : { statusCode: String(status) }),
        responseHeaders: {
          ...Object.fromEntries(
            Object.entries(literals).map(([name, value]) => [name, literal(name, value)]),
          ),
          // A mapping, not a literal: the same id as the body's request_id, the access log's requestId and
          // API Gateway's x-amzn-RequestId header.
          'x-request-id': 'context.requestId',
        },
        templates: { 'application/json': bodyTemplate(problem) },
      });
      // Created one after another: API Gateway rate-limits parallel gateway-response updates.
      if (previous !== undefined) response.node.addDependency(previous);
      previous = response;
    }
  }
}
