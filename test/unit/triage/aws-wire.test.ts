/**
 * The two AWS operations triage makes without the SDK clients (to fit the function's bundle budget) put
 * the same request on the wire as the SDK clients do: the SDK's BedrockRuntimeClient and
 * CloudWatchLogsClient (devDependencies) and Bulwark's signed calls both talk to one recording server,
 * and method, path, protocol headers and JSON body must match; both are SigV4-signed for the same
 * service and region. The recording server answers as the services do, so each side also parses it.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import {
  CloudWatchLogsClient,
  GetQueryResultsCommand,
  StartQueryCommand,
} from '@aws-sdk/client-cloudwatch-logs';
// Bedrock Runtime's client speaks HTTP/2 by default; the recording server is HTTP/1.1, as Bulwark's fetch is.
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedJsonClient } from '../../../shared/adapters/aws/signed-json-call.js';
import { bedrockConverseModel } from '../../../shared/adapters/bedrock/bedrock-converse-model.js';
import { errorLinesQuery, insightsLogSource } from '../../../shared/adapters/logs/insights-log-source.js';
import { triageAnswerJsonSchema } from '../../../shared/domain/triage/triage-answer.js';

interface Recorded {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: unknown;
}

let server: Server;
let endpoint: string;
const recorded: Recorded[] = [];
const credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};
const region = 'eu-west-1';

beforeAll(async () => {
  server = createServer(async (request, response) => {
    let text = '';
    for await (const chunk of request) text += String(chunk);
    recorded.push({
      method: request.method ?? '',
      path: request.url ?? '',
      headers: request.headers,
      body: JSON.parse(text),
    });
    const target = String(request.headers['x-amz-target'] ?? '');
    response.setHeader('content-type', target === '' ? 'application/json' : 'application/x-amz-json-1.1');
    if (target.endsWith('StartQuery')) return response.end(JSON.stringify({ queryId: 'q-1' }));
    if (target.endsWith('GetQueryResults')) {
      return response.end(
        JSON.stringify({
          status: 'Complete',
          results: [
            [
              { field: '@timestamp', value: '2026-11-23 11:59:00.000' },
              { field: '@message', value: '{"level":"ERROR","message":"boom"}' },
            ],
          ],
        }),
      );
    }
    response.end(
      JSON.stringify({
        output: { message: { role: 'assistant', content: [{ text: '{"summary":"s","likely_causes":[]}' }] } },
        stopReason: 'end_turn',
        usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 },
        metrics: { latencyMs: 1 },
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
});

const protocolOf = ({ method, path, headers, body }: Recorded) => ({
  method,
  path,
  contentType: String(headers['content-type']).split(';')[0],
  target: headers['x-amz-target'],
  body,
  scope: /Credential=[^/]+\/\d{8}\/([^,]+),/.exec(String(headers.authorization))?.[1],
});

describe('the signed calls against the SDK clients', () => {
  it('send Converse exactly as BedrockRuntimeClient does, and read its answer', async () => {
    const modelId =
      'arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.anthropic.claude-haiku-4-5-20251001-v1:0';
    const prompt = {
      system: 'instructions',
      user: 'data',
      maxTokens: 800,
      answerSchema: triageAnswerJsonSchema,
    };
    recorded.length = 0;
    const sdk = new BedrockRuntimeClient({
      region,
      endpoint,
      credentials,
      requestHandler: new NodeHttpHandler(),
    });
    await sdk.send(
      new ConverseCommand({
        modelId,
        system: [{ text: prompt.system }],
        messages: [{ role: 'user', content: [{ text: prompt.user }] }],
        inferenceConfig: { maxTokens: prompt.maxTokens, temperature: 0 },
        outputConfig: {
          textFormat: {
            type: 'json_schema',
            structure: { jsonSchema: { schema: JSON.stringify(prompt.answerSchema), name: 'triage_answer' } },
          },
        },
      }),
    );
    sdk.destroy();
    const model = bedrockConverseModel(
      modelId,
      signedJsonClient({ service: 'bedrock', region, endpoint, credentials }),
    );
    expect(await model.converse(prompt, AbortSignal.timeout(5_000))).toBe(
      '{"summary":"s","likely_causes":[]}',
    );
    const [viaSdk, viaBulwark] = recorded.map(protocolOf);
    expect(viaBulwark).toEqual(viaSdk);
    expect(viaSdk?.scope).toBe(`${region}/bedrock/aws4_request`);
  });

  it('send StartQuery and GetQueryResults exactly as CloudWatchLogsClient does, and read the results', async () => {
    recorded.length = 0;
    const sdk = new CloudWatchLogsClient({ region, endpoint, credentials });
    const input = {
      logGroupNames: ['/aws/lambda/a', '/aws/lambda/b'],
      startTime: 1_795_000_000,
      endTime: 1_795_003_600,
      queryString: errorLinesQuery(200),
      limit: 200,
    };
    await sdk.send(new StartQueryCommand(input));
    await sdk.send(new GetQueryResultsCommand({ queryId: 'q-1' }));
    sdk.destroy();
    const source = insightsLogSource(
      input.logGroupNames,
      signedJsonClient({ service: 'logs', region, endpoint, credentials }),
    );
    const lines = await source.read(
      { fromMs: input.startTime * 1000, toMs: input.endTime * 1000, limit: 200 },
      AbortSignal.timeout(5_000),
    );
    expect(lines).toEqual([{ '@timestamp': '2026-11-23 11:59:00.000', level: 'ERROR', message: 'boom' }]);
    const [sdkStart, sdkResults, ourStart, ourResults] = recorded.map(protocolOf);
    expect(ourStart).toEqual(sdkStart);
    expect(ourResults).toEqual(sdkResults);
    expect(sdkStart?.scope).toBe(`${region}/logs/aws4_request`);
  });
});
