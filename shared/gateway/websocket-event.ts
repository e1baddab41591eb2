/**
 * The Lambda proxy events of API Gateway's WebSocket API, as Bulwark reads them. `@types/aws-lambda`
 * lacks `identity`, `disconnectStatusCode` and the `$connect` headers, so these are written from AWS's
 * documentation (and Powertools' schema): headers and query exist only on `$connect`; `identity.sourceIp`
 * is on every event. The local emulator (shared/local/websocket-emulator.ts) produces exactly this.
 */
export interface WebSocketRequestContext {
  readonly routeKey: string;
  readonly eventType: 'CONNECT' | 'MESSAGE' | 'DISCONNECT';
  readonly connectionId: string;
  readonly requestId?: string;
  readonly messageId?: string;
  readonly connectedAt?: number;
  readonly requestTimeEpoch?: number;
  readonly domainName?: string;
  readonly stage?: string;
  readonly apiId?: string;
  readonly identity: { readonly sourceIp: string; readonly userAgent?: string | null };
  readonly disconnectStatusCode?: number;
  readonly disconnectReason?: string;
}

export interface WebSocketEvent {
  readonly requestContext: WebSocketRequestContext;
  readonly headers?: Readonly<Record<string, string>> | null;
  readonly multiValueHeaders?: Readonly<Record<string, readonly string[]>> | null;
  readonly queryStringParameters?: Readonly<Record<string, string>> | null;
  readonly body?: string | null;
  readonly isBase64Encoded?: boolean;
}

/**
 * What a WebSocket route's Lambda integration returns. On `$connect` a non-2xx status refuses the
 * handshake and `headers` (the chosen subprotocol) go on the 101; on a route with a route response the
 * body is sent to the client as one message.
 */
export interface WebSocketResult {
  readonly statusCode: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** Every value of a header on `$connect`, whatever its spelling, across repeated lines. */
export const headerValuesOf = (event: WebSocketEvent, name: string): string[] => {
  const wanted = name.toLowerCase();
  const multi = Object.entries(event.multiValueHeaders ?? {}).filter(([key]) => key.toLowerCase() === wanted);
  if (multi.length > 0) return multi.flatMap(([, values]) => [...values]);
  return Object.entries(event.headers ?? {})
    .filter(([key]) => key.toLowerCase() === wanted)
    .map(([, value]) => value);
};
