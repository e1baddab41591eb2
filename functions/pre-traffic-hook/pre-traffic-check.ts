/**
 * What the pre-traffic hook decides, without any AWS client: which function version a CodeDeploy
 * deployment releases (from its AppSpec), the synthetic API Gateway request that version gets, and whether
 * its answer shows a working security chain. The handler (handler.ts) only does the calls.
 */
import * as z from 'zod';

export {
  type PreTrafficSettings,
  type Probe,
  preTrafficSettingsFrom,
  probeSchema,
} from '../../shared/config/pre-traffic-settings.js';

import type { PreTrafficSettings, Probe } from '../../shared/config/pre-traffic-settings.js';

const appSpecSchema = z.object({
  Resources: z
    .array(
      z.record(
        z.string(),
        z.object({
          Type: z.literal('AWS::Lambda::Function'),
          Properties: z.object({
            Name: z.string().min(1),
            Alias: z.string().min(1),
            CurrentVersion: z.string().optional(),
            TargetVersion: z.string().min(1),
          }),
        }),
      ),
    )
    .length(1),
});

/** The function and version a Lambda deployment moves its alias to, read from its AppSpec (JSON). */
export const releaseTargetOf = (appSpecContent: string): { functionName: string; version: string } => {
  const spec = appSpecSchema.parse(JSON.parse(appSpecContent));
  const resources = Object.values(spec.Resources[0] ?? {});
  if (resources.length !== 1 || resources[0] === undefined) {
    throw new TypeError('The AppSpec must release exactly one function');
  }
  const { Name, TargetVersion } = resources[0].Properties;
  // CloudFormation writes the function's name; a name given as an ARN ends with it.
  return { functionName: Name.split(':').at(-1) ?? Name, version: TargetVersion };
};

/** The probe of `functionName` (its name or ARN). */
export const probeFor = (settings: PreTrafficSettings, functionName: string): Probe => {
  const name = functionName.split(':').at(-1);
  const probe = settings.probes.find((candidate) => candidate.functionName === name);
  if (probe === undefined) throw new TypeError(`No pre-traffic probe for function ${functionName}`);
  return probe;
};

/** An address of TEST-NET-1 (RFC 5737): the probe's rate-limit budget belongs to no client. */
export const probeSourceIp = '192.0.2.10';

/** A REST API proxy event for the probe, as API Gateway would send it, without any credential. */
export const syntheticEventOf = (probe: Probe, settings: PreTrafficSettings, requestId: string) => {
  const path = probe.path.replaceAll(/\{[^}]+\}/g, 'pre-traffic-probe');
  const headers: Record<string, string> = {
    Host: settings.host,
    'User-Agent': 'bulwark-pre-traffic-hook',
    'X-Forwarded-For': probeSourceIp,
    ...(probe.jsonBody ? { 'Content-Type': 'application/json' } : {}),
  };
  return {
    resource: probe.path,
    path,
    httpMethod: probe.method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body: probe.jsonBody ? '{}' : null,
    isBase64Encoded: false,
    requestContext: {
      requestId,
      stage: settings.stage,
      httpMethod: probe.method,
      path: `/${settings.stage}${path}`,
      resourcePath: probe.path,
      identity: { sourceIp: probeSourceIp, userAgent: 'bulwark-pre-traffic-hook' },
    },
  };
};

/** What Lambda's Invoke returned, as far as the verdict needs it. */
export interface InvokeOutcome {
  readonly statusCode?: number;
  readonly functionError?: string;
  readonly payload?: string;
}

/**
 * Whether the new version works: it ran without an unhandled error and answered a well-formed HTTP result
 * below 500 that carries the chain's request id and security headers. A 401, 404 or 422 passes: an
 * unauthenticated probe must be refused, and the refusal proves configuration, secrets and the chain.
 */
export const verdictOf = (outcome: InvokeOutcome): { readonly ok: boolean; readonly reason: string } => {
  if (outcome.functionError !== undefined)
    return { ok: false, reason: `function error: ${outcome.functionError}` };
  if (outcome.statusCode !== 200) return { ok: false, reason: `invoke status ${String(outcome.statusCode)}` };
  let answer: { statusCode?: unknown; headers?: Record<string, unknown> };
  try {
    answer = JSON.parse(outcome.payload ?? '') as typeof answer;
  } catch {
    return { ok: false, reason: 'the answer is not JSON' };
  }
  if (typeof answer.statusCode !== 'number') return { ok: false, reason: 'the answer has no status' };
  if (answer.statusCode >= 500) return { ok: false, reason: `the answer is ${answer.statusCode}` };
  const names = new Set(Object.keys(answer.headers ?? {}).map((name) => name.toLowerCase()));
  for (const required of ['x-request-id', 'strict-transport-security']) {
    if (!names.has(required))
      return { ok: false, reason: `the ${answer.statusCode} answer lacks ${required}` };
  }
  return { ok: true, reason: `answered ${answer.statusCode}` };
};
