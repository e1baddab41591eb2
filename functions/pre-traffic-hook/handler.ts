/**
 * CodeDeploy's BeforeAllowTraffic hook of every Bulwark function (ADR 0010, "Canary releases"): before any
 * traffic moves to a new version, it invokes that version with a synthetic, unauthenticated request for its
 * route and reports Succeeded only if the security chain answered (pre-traffic-check.ts). A version that
 * cannot start (bad configuration, unreadable secret, broken bundle) fails its release untried by users.
 */

import { randomUUID } from 'node:crypto';
import {
  CodeDeployClient,
  GetApplicationRevisionCommand,
  GetDeploymentCommand,
  PutLifecycleEventHookExecutionStatusCommand,
} from '@aws-sdk/client-codedeploy';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { readPreTrafficSettings } from '../../shared/config/pre-traffic-settings.js';
import { createLogger } from '../../shared/logging/create-logger.js';
import { probeFor, releaseTargetOf, syntheticEventOf, verdictOf } from './pre-traffic-check.js';

interface HookEvent {
  readonly DeploymentId: string;
  readonly LifecycleEventHookExecutionId: string;
}

const settings = readPreTrafficSettings();
const logger = createLogger('info');
const codeDeploy = new CodeDeployClient({});
const lambda = new LambdaClient({});

/** The AppSpec of the deployment: in the deployment itself, or in its application revision. */
const appSpecOf = async (deploymentId: string): Promise<string> => {
  const { deploymentInfo } = await codeDeploy.send(new GetDeploymentCommand({ deploymentId }));
  const revision = deploymentInfo?.revision;
  const inline = revision?.appSpecContent?.content ?? revision?.string?.content;
  if (inline !== undefined) return inline;
  const stored = await codeDeploy.send(
    new GetApplicationRevisionCommand({ applicationName: deploymentInfo?.applicationName, revision }),
  );
  const content = stored.revision?.appSpecContent?.content ?? stored.revision?.string?.content;
  if (content === undefined) throw new TypeError(`Deployment ${deploymentId} has no AppSpec content`);
  return content;
};

export const handler = async (event: HookEvent): Promise<void> => {
  let status: 'Succeeded' | 'Failed' = 'Failed';
  try {
    const target = releaseTargetOf(await appSpecOf(event.DeploymentId));
    const probe = probeFor(settings, target.functionName);
    const requestId = randomUUID();
    const result = await lambda.send(
      new InvokeCommand({
        FunctionName: target.functionName,
        Qualifier: target.version,
        Payload: new TextEncoder().encode(JSON.stringify(syntheticEventOf(probe, settings, requestId))),
      }),
    );
    const verdict = verdictOf({
      ...(result.StatusCode === undefined ? {} : { statusCode: result.StatusCode }),
      ...(result.FunctionError === undefined ? {} : { functionError: result.FunctionError }),
      ...(result.Payload === undefined ? {} : { payload: new TextDecoder().decode(result.Payload) }),
    });
    status = verdict.ok ? 'Succeeded' : 'Failed';
    logger.info('pre-traffic probe', {
      deployment_id: event.DeploymentId,
      function: target.functionName,
      version: target.version,
      request: `${probe.method} ${probe.path}`,
      request_id: requestId,
      status,
      reason: verdict.reason,
    });
  } catch (error) {
    logger.error('pre-traffic probe could not run', {
      deployment_id: event.DeploymentId,
      error: error instanceof Error ? error.message : String(error),
    });
  } finally {
    await codeDeploy.send(
      new PutLifecycleEventHookExecutionStatusCommand({
        deploymentId: event.DeploymentId,
        lifecycleEventHookExecutionId: event.LifecycleEventHookExecutionId,
        status,
      }),
    );
  }
};
