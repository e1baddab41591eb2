import { GatewayResponse, type IRestApi, ResponseType } from 'aws-cdk-lib/aws-apigateway';
import { Construct } from 'constructs';

interface GatewayProblem {
  readonly id: string;
  readonly type: ResponseType;
  /** Fixed status; undefined keeps the status API Gateway chose (the DEFAULT_* catch-alls). */
  readonly status?: number;
  readonly problemType: string;
  readonly title: string;
  /** Adds API Gateway's own message as `detail` (4xx only: it describes the caller's mistake). */
  readonly exposeMessage?: boolean;
}

const problemUri = (code: string): string => `urn:bulwark:problem:${code}`;

/**
 * Every rejection API Gateway answers by itself. The specific types carry their exact status; the two
 * DEFAULT_* catch-alls keep whatever status API Gateway picked, and because gateway response templates only
 * substitute variables (no VTL, no status variable) their body leaves `status` out rather than guess it.
 */
export const gatewayProblems: readonly GatewayProblem[] = [
  {
    id: 'Default4xx',
    type: ResponseType.DEFAULT_4XX,
    problemType: problemUri('gateway-4xx'),
    title: 'Request rejected by the API gateway',
    exposeMessage: true,
  },
  {
    id: 'Default5xx',
    type: ResponseType.DEFAULT_5XX,
    problemType: problemUri('gateway-5xx'),
    title: 'The API gateway failed to process the request',
  },
  {
    // Every resource has an ANY method, so this only fires for paths no resource matches.
    id: 'MissingAuthenticationToken',
    type: ResponseType.MISSING_AUTHENTICATION_TOKEN,
    status: 404,
    problemType: problemUri('not-found'),
    title: 'Not found',
  },
  {
    id: 'BadRequestBody',
    type: ResponseType.BAD_REQUEST_BODY,
    status: 400,
    problemType: problemUri('gateway-4xx'),
    title: 'Malformed request',
    exposeMessage: true,
  },
  {
    id: 'BadRequestParameters',
    type: ResponseType.BAD_REQUEST_PARAMETERS,
    status: 400,
    problemType: problemUri('gateway-4xx'),
    title: 'Malformed request',
    exposeMessage: true,
  },
  {
    id: 'AccessDenied',
    type: ResponseType.ACCESS_DENIED,
    status: 403,
    problemType: problemUri('gateway-4xx'),
    title: 'Forbidden',
  },
  {
    id: 'WafFiltered',
    type: ResponseType.WAF_FILTERED,
    status: 403,
    problemType: problemUri('gateway-4xx'),
    title: 'Forbidden',
  },
  {
    id: 'RequestTooLarge',
    type: ResponseType.REQUEST_TOO_LARGE,
    status: 413,
    problemType: problemUri('body-too-large'),
    title: 'Request body too large',
  },
  {
    id: 'Throttled',
    type: ResponseType.THROTTLED,
    status: 429,
    problemType: problemUri('gateway-4xx'),
    title: 'Too many requests',
  },
  {
    id: 'IntegrationFailure',
    type: ResponseType.INTEGRATION_FAILURE,
    status: 502,
    problemType: problemUri('gateway-5xx'),
    title: 'Bad gateway',
  },
  {
    id: 'IntegrationTimeout',
    type: ResponseType.INTEGRATION_TIMEOUT,
    status: 504,
    problemType: problemUri('gateway-5xx'),
    title: 'Gateway timeout',
  },
];

/** Header values are literals, hence the single quotes API Gateway requires. */
const problemHeaders = {
  'Content-Type': "'application/problem+json'",
  'Cache-Control': "'no-store'",
  'X-Content-Type-Options': "'nosniff'",
};

const bodyTemplate = (problem: GatewayProblem): string => {
  const members = [
    `"type":${JSON.stringify(problem.problemType)}`,
    `"title":${JSON.stringify(problem.title)}`,
    ...(problem.status === undefined ? [] : [`"status":${problem.status}`]),
    // messageString is substituted already JSON-quoted.
    ...(problem.exposeMessage === true ? ['"detail":$context.error.messageString'] : []),
  ];
  return `{${members.join(',')}}`;
};

export interface ProblemGatewayResponsesProps {
  readonly api: IRestApi;
}

/** Makes API Gateway's own rejections application/problem+json, like the functions' answers. */
export class ProblemGatewayResponses extends Construct {
  constructor(scope: Construct, id: string, props: ProblemGatewayResponsesProps) {
    super(scope, id);
    let previous: Construct | undefined;
    for (const problem of gatewayProblems) {
      const response = new GatewayResponse(this, problem.id, {
        restApi: props.api,
        type: problem.type,
        ...(problem.status === undefined ? {} : { statusCode: String(problem.status) }),
        responseHeaders: problemHeaders,
        templates: { 'application/json': bodyTemplate(problem) },
      });
      // Created one after another: API Gateway rate-limits parallel gateway-response updates.
      if (previous !== undefined) response.node.addDependency(previous);
      previous = response;
    }
  }
}
