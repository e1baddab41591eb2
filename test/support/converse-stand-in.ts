/**
 * A local stand-in of Bedrock Runtime's Converse API (`POST /model/{modelId}/converse`, REST JSON), for
 * tests that point TRIAGE_BEDROCK_ENDPOINT at it. It answers as Bedrock does (`output.message.content`,
 * `stopReason`, `usage`), or fails with an AWS error, or hangs until the client gives up, and keeps every
 * request it received so a test can check what the model would have read. It checks no signature (like
 * DynamoDB Local) but records whether one was sent.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type StandInMode =
  | { readonly kind: 'answer'; readonly summary?: string; readonly likelyCauses?: readonly string[] }
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'fail'; readonly status?: number; readonly type?: string }
  | { readonly kind: 'hang' }
  | { readonly kind: 'reject-structured-output' };

export interface ReceivedConverse {
  readonly path: string;
  readonly modelId: string;
  readonly signed: boolean;
  readonly body: {
    readonly system?: readonly { readonly text: string }[];
    readonly messages?: readonly {
      readonly role: string;
      readonly content: readonly { readonly text: string }[];
    }[];
    readonly inferenceConfig?: { readonly maxTokens?: number; readonly temperature?: number };
    readonly outputConfig?: unknown;
    readonly toolConfig?: unknown;
  };
  /** Everything the model would read: system and messages, as one string. */
  readonly prompt: string;
}

export interface ConverseStandIn {
  readonly endpoint: string;
  readonly received: ReceivedConverse[];
  readonly setMode: (mode: StandInMode) => void;
  readonly stop: () => Promise<void>;
}

const readBody = async (request: IncomingMessage): Promise<string> => {
  let text = '';
  for await (const chunk of request) text += String(chunk);
  return text;
};

export const startConverseStandIn = async (
  initial: StandInMode = { kind: 'answer' },
): Promise<ConverseStandIn> => {
  let mode: StandInMode = initial;
  const received: ReceivedConverse[] = [];
  const server: Server = createServer(async (request, response) => {
    const text = await readBody(request);
    const match = /^\/model\/([^/]+)\/converse$/.exec(request.url ?? '');
    if (request.method !== 'POST' || match === null) {
      response.writeHead(404, {
        'content-type': 'application/json',
        'x-amzn-errortype': 'UnknownOperationException',
      });
      response.end('{"message":"unknown operation"}');
      return;
    }
    const body = JSON.parse(text) as ReceivedConverse['body'];
    const prompt = [
      ...(body.system ?? []).map((block) => block.text),
      ...(body.messages ?? []).flatMap((message) => message.content.map((block) => block.text)),
    ].join('\n');
    received.push({
      path: request.url ?? '',
      modelId: decodeURIComponent(match[1] ?? ''),
      signed: String(request.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 '),
      body,
      prompt,
    });
    const current = mode;
    if (current.kind === 'hang') return; // never answers; the socket closes when the client aborts
    if (
      current.kind === 'fail' ||
      (current.kind === 'reject-structured-output' && body.outputConfig !== undefined)
    ) {
      const status = current.kind === 'fail' ? (current.status ?? 503) : 400;
      const type =
        current.kind === 'fail' ? (current.type ?? 'ServiceUnavailableException') : 'ValidationException';
      response.writeHead(status, {
        'content-type': 'application/json',
        'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
      });
      response.end(JSON.stringify({ message: 'stand-in failure' }));
      return;
    }
    const answer =
      current.kind === 'text'
        ? current.text
        : JSON.stringify({
            summary:
              current.kind === 'answer'
                ? (current.summary ?? 'Stand-in summary of the errors.')
                : 'Stand-in summary.',
            likely_causes: current.kind === 'answer' ? (current.likelyCauses ?? ['A stand-in cause']) : [],
          });
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        output: { message: { role: 'assistant', content: [{ text: answer }] } },
        stopReason: 'end_turn',
        usage: {
          inputTokens: Math.ceil(prompt.length / 4),
          outputTokens: Math.ceil(answer.length / 4),
          totalTokens: 0,
        },
        metrics: { latencyMs: 1 },
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    received,
    setMode: (next) => {
      mode = next;
    },
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
