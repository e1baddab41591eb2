import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

/** SHA-256 (and HMAC-SHA-256 with a key) on node:crypto, in the shape SignatureV4 takes. */
class NodeSha256 {
  private hash: Hash | Hmac;
  private readonly secret: Buffer | undefined;

  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.secret = secret === undefined ? undefined : toBuffer(secret);
    this.hash = this.fresh();
  }

  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(toBuffer(data));
  }

  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }

  reset(): void {
    this.hash = this.fresh();
  }

  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', this.secret);
  }
}

const toBuffer = (data: string | ArrayBuffer | ArrayBufferView): Buffer =>
  typeof data === 'string'
    ? Buffer.from(data, 'utf8')
    : ArrayBuffer.isView(data)
      ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
      : Buffer.from(data);

/** An AWS API answered with an error status; `type` is its error code (`ThrottlingException`, ...). */
export class AwsCallError extends Error {
  readonly status: number;
  readonly type: string;

  constructor(service: string, status: number, type: string) {
    super(`${service} answered ${status} ${type}`);
    this.name = 'AwsCallError';
    this.status = status;
    this.type = type;
  }
}

export interface SignedJsonClientOptions {
  /** Signing name: `bedrock`, `logs`. */
  readonly service: string;
  readonly region: string;
  /** `https://bedrock-runtime.<region>.amazonaws.com`, or a local stand-in (TRIAGE_BEDROCK_ENDPOINT). */
  readonly endpoint: string;
  readonly credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
}

export type SignedJsonCall = (
  request: {
    readonly path: string;
    readonly headers?: Readonly<Record<string, string>>;
    readonly body: unknown;
  },
  signal: AbortSignal,
) => Promise<unknown>;

/**
 * One signed (SigV4) JSON POST to an AWS API over Node's fetch: what an SDK client does for the two
 * operations triage needs, without the client. The SDK clients for Bedrock Runtime and CloudWatch Logs
 * would add about 90 KiB to the function and break its 450 KiB bundle budget (docs/adr/0019); the signer
 * is the SDK's own (`@smithy/signature-v4`, already in every bundle). test/unit/triage/aws-wire.test.ts
 * checks the requests against the SDK clients' own. Errors carry the status and the AWS error type only,
 * never the body.
 */
export const signedJsonClient = (options: SignedJsonClientOptions): SignedJsonCall => {
  const signer = new SignatureV4({
    service: options.service,
    region: options.region,
    credentials: options.credentials,
    sha256: NodeSha256,
  });
  const base = new URL(options.endpoint);
  const basePath = base.pathname.replace(/\/$/, '');
  return async (request, signal) => {
    const body = JSON.stringify(request.body);
    const signed = await signer.sign({
      method: 'POST',
      protocol: base.protocol,
      hostname: base.hostname,
      ...(base.port === '' ? {} : { port: Number(base.port) }),
      path: `${basePath}${request.path}`,
      query: {},
      headers: { host: base.host, 'content-type': 'application/json', ...request.headers },
      body,
    });
    const { host: _host, ...headers } = signed.headers;
    const response = await fetch(`${base.protocol}//${base.host}${basePath}${request.path}`, {
      method: 'POST',
      headers,
      body,
      signal,
    });
    const text = await response.text();
    if (!response.ok) {
      // The error code: `x-amzn-errortype` (REST JSON), else the body's `__type` (JSON 1.1), never more.
      const type =
        response.headers.get('x-amzn-errortype') ??
        /"__type"\s*:\s*"(?:[^"#]*#)?([^"]+)"/.exec(text)?.[1] ??
        'Unknown';
      throw new AwsCallError(options.service, response.status, type.split(':')[0] ?? type);
    }
    return text === '' ? {} : (JSON.parse(text) as unknown);
  };
};

/** Dummy credentials for a local stand-in, which checks no signature (as DynamoDB Local does). */
export const localStandInCredentials: AwsCredentialIdentity = Object.freeze({
  accessKeyId: 'local',
  secretAccessKey: 'local',
});
