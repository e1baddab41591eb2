import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import { QueryDefinition, QueryString } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import {
  AUTHENTICATION_FAILED_MESSAGE,
  REQUEST_FAILED_MESSAGE,
  REQUEST_REJECTED_MESSAGE,
} from '../../shared/logging/log-messages.js';

export interface SavedQueriesProps {
  readonly stageName: string;
  /** Every function's log group (the chain's lines: request id, status, code, reason, dependency). */
  readonly functionLogGroups: readonly ILogGroup[];
  /** The stage's JSON access log (API Gateway's own answers: throttling, gateway errors). */
  readonly accessLogs: ILogGroup;
  /** WAF's log group (blocks and counts only). */
  readonly wafLogs: ILogGroup;
}

/**
 * Logs Insights queries saved with the stage (CloudWatch console → Logs Insights → Saved queries, folder
 * `bulwark-<stage>`), one per runbook question, so nobody types a query during an incident. Each reads
 * the fields the code writes; the message texts come from the same constants the code logs with.
 */
export class SavedQueries extends Construct {
  readonly definitions: ReadonlyMap<string, QueryDefinition>;

  constructor(scope: Construct, id: string, props: SavedQueriesProps) {
    super(scope, id);
    const folder = `bulwark-${props.stageName}`;
    const functions = [...props.functionLogGroups];
    const definitions = new Map<string, QueryDefinition>();
    const save = (name: string, logGroups: ILogGroup[], queryString: QueryString): void => {
      definitions.set(
        name,
        new QueryDefinition(this, name, { queryDefinitionName: `${folder}/${name}`, queryString, logGroups }),
      );
    };

    // 429, source 1 and 2 of 4: the route limiter (quota-exceeded) and login throttling (login-throttled),
    // per function (@log names the route's log group).
    save(
      '429-from-the-functions',
      functions,
      new QueryString({
        filterStatements: [`message = "${REQUEST_REJECTED_MESSAGE}"`, 'status = 429'],
        stats: 'count(*) as answers by code, @log, bin(5m)',
      }),
    );
    // 429, source 3: the stage throttle answers before any function runs (errorType THROTTLED); statuses
    // API Gateway made itself are those without an integration status.
    save(
      '429-and-5xx-from-api-gateway',
      [props.accessLogs],
      new QueryString({
        filterStatements: ['status = 429 or status >= 500'],
        stats: 'count(*) as answers by status, errorType, integrationStatus, resourcePath, bin(5m)',
      }),
    );
    // 429, source 4 (and every other WAF block): which rule, which address.
    save(
      'waf-blocks-by-rule',
      [props.wafLogs],
      new QueryString({
        filterStatements: ['action = "BLOCK"'],
        stats: 'count(*) as blocks by terminatingRuleId, httpRequest.clientIp, bin(5m)',
      }),
    );
    // 503: which dependency (table or secret) the functions could not reach in time.
    save(
      '503-by-dependency',
      functions,
      new QueryString({
        filterStatements: [
          `message = "${REQUEST_FAILED_MESSAGE}" or message = "${REQUEST_REJECTED_MESSAGE}"`,
          'status = 503',
        ],
        stats: 'count(*) as answers by dependency, code, @log, bin(1m)',
      }),
    );
    // 401 after a deploy: the reasons (unknown_kid after a key change, expired, issuer or audience after a
    // configuration change, api-key reasons).
    save(
      '401-by-reason',
      functions,
      new QueryString({
        filterStatements: [`message = "${AUTHENTICATION_FAILED_MESSAGE}"`],
        stats: 'count(*) as failures by reason, @log, bin(5m)',
      }),
    );
    // Everything about one request: replace the id (the x-request-id answer header, or a problem's
    // request_id), across every function and the access log.
    save(
      'one-request',
      [...functions, props.accessLogs],
      new QueryString({
        fields: ['@timestamp', '@log', 'message', 'status', 'code', 'reason', 'dependency'],
        filterStatements: ['request_id = "REPLACE-WITH-REQUEST-ID" or requestId = "REPLACE-WITH-REQUEST-ID"'],
        sort: '@timestamp asc',
      }),
    );
    this.definitions = definitions;
  }
}
