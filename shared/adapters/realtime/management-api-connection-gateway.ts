import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { fromEnv } from '@aws-sdk/credential-provider-env';
import { SignatureV4 } from '@smithy/signature-v4';
import type { ConnectionGateway } from '../../domain/realtime/connection-gateway.js';
import { DependencyUnavailableError } from '../../errors/request-errors.js';

/** SHA-256 for the signer, from node:crypto (what the SDK's own node hash does). */
class Sha256 {
  private readonly hash: Hash | Hmac;

  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash =
      secret === undefined
        ? createHash('sha256')
        : createHmac(
            'sha256',
            typeof secret === 'string'
              ? secret
              : Buffer.from(ArrayBuffer.isView(secret) ? secret.buffer : secret),
          );
  }

  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(
      typeof data === 'string'
        ? data
        : ArrayBuffer.isView(data)
          ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
          : Buffer.from(data),
    );
  }

  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
}

export interface ManagementApiOptions {
  /**
   * The stage's management endpoint: `https://{api}.execute-api.{region}.amazonaws.com/{stage}` on AWS
   * (REALTIME_CALLBACK_URL), `http://127.0.0.1:<port>/<stage>` for the local emulator.
   */
  readonly endpoint: string;
  readonly region: string;
  /** Per attempt; two attempts, so a hung endpoint costs at most twice this. */
  readonly attemptMs: number;
}

/** Statuses worth a second attempt: throttling (LimitExceededException) and the service's own errors. */
const retryable = (status: number): boolean => status === 429 || status >= 500;

/**
 * ConnectionGateway over API Gateway's management API (`POST` and `DELETE /@connections/{id}`), SigV4
 * signed with the SDK's own signer and the function's credentials from its environment (as Lambda gives
 * them). `@aws-sdk/client-apigatewaymanagementapi` would add about 25 KiB of REST protocol code to every
 * function that sends, which the bundle budget has no room for; the requests are the ones that client
 * makes (a test runs both against the local emulator). 410 is `gone`; any other failure, or no answer
 * within two attempts, is a 503 of `apigateway`. A plain-HTTP (local) endpoint is signed with fixed
 * dummy credentials: the emulator accepts any signature, and production refuses such an endpoint.
 */
export const managementApiConnectionGateway = (options: ManagementApiOptions): ConnectionGateway => {
  const base = new URL(options.endpoint);
  const stagePath = base.pathname.replace(/\/+$/, '');
  const signer = new SignatureV4({
    service: 'execute-api',
    region: options.region,
    credentials: base.protocol === 'http:' ? { accessKeyId: 'local', secretAccessKey: 'local' } : fromEnv(),
    sha256: Sha256,
  });

  const call = async (method: 'POST' | 'DELETE', connectionId: string, body?: string): Promise<number> => {
    const path = `${stagePath}/@connections/${encodeURIComponent(connectionId)}`;
    const headers: Record<string, string> = {
      host: base.host,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    };
    let lastError: unknown;
    for (let attempt = 1; attempt <= 2; attempt += 1) {
      try {
        const signed = await signer.sign({
          method,
          protocol: base.protocol,
          hostname: base.hostname,
          ...(base.port === '' ? {} : { port: Number(base.port) }),
          path,
          query: {},
          headers,
          ...(body === undefined ? {} : { body }),
        });
        const { host: _host, ...sent } = signed.headers;
        const response = await fetch(`${base.protocol}//${base.host}${path}`, {
          method,
          headers: sent,
          ...(body === undefined ? {} : { body }),
          signal: AbortSignal.timeout(options.attemptMs),
        });
        await response.arrayBuffer();
        if (!retryable(response.status)) return response.status;
        lastError = new Error(`management API answered ${response.status}`);
      } catch (error) {
        lastError = error;
      }
    }
    throw new DependencyUnavailableError('apigateway', lastError);
  };

  const outcome = <T extends string>(status: number, done: T): T | 'gone' => {
    if (status === 410) return 'gone';
    if (status >= 200 && status < 300) return done;
    throw new DependencyUnavailableError('apigateway', new Error(`management API answered ${status}`));
  };

  return {
    send: async (connectionId, data) => outcome(await call('POST', connectionId, data), 'sent'),
    close: async (connectionId) => outcome(await call('DELETE', connectionId), 'closed'),
  };
};
