/**
 * HTTP as an attacker sends it: paths exactly as written (no `//` or `/./` clean-up, no percent
 * decoding), any header bytes, chunked bodies, and a raw socket for what node:http refuses to send
 * (lowercase methods, an empty Host). Nothing here knows the server's code.
 */
import { request as httpRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

/** Sent on every request: the WAF's managed rules block requests without a User-Agent. */
export const suiteUserAgent = 'bulwark-security-suite/1';

const defaultTimeoutMs = 15_000;

export interface HttpRequest {
  readonly method?: string;
  /** Appended to the base URL's path exactly as written. */
  readonly path: string;
  /** Lowercase names; an array sends the header once per value. */
  readonly headers?: Readonly<Record<string, string | readonly string[]>>;
  readonly body?: string | Buffer;
  /** Serialised with JSON.stringify; adds `content-type: application/json` unless a content type is set. */
  readonly json?: unknown;
  /** Sends the body with `Transfer-Encoding: chunked` in pieces of this many bytes. */
  readonly chunkBytes?: number;
  readonly timeoutMs?: number;
}

export interface HttpAnswer {
  readonly status: number;
  /** Lowercase names; repeated headers joined with `, `. */
  readonly headers: Readonly<Record<string, string>>;
  readonly text: string;
  readonly elapsedMs: number;
}

/** The server did not answer in time, or closed the connection without an answer. */
export class NoAnswerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoAnswerError';
  }
}

const flatten = (headers: IncomingHttpHeaders): Record<string, string> =>
  Object.fromEntries(
    Object.entries(headers).flatMap(([name, value]) =>
      value === undefined ? [] : [[name, Array.isArray(value) ? value.join(', ') : value]],
    ),
  );

/** The base URL's path (an API Gateway stage name, say) without a trailing slash. */
const prefixOf = (base: URL): string => base.pathname.replace(/\/+$/, '');

/** `[::1]` in a URL is `::1` to the socket API. */
const hostnameOf = (base: URL): string => base.hostname.replace(/^\[(.*)\]$/, '$1');

const portOf = (base: URL): number => Number(base.port || (base.protocol === 'https:' ? 443 : 80));

/** Sends one request on a connection of its own and reads the whole answer. */
export const send = (baseUrl: string, request: HttpRequest): Promise<HttpAnswer> =>
  new Promise((resolve, reject) => {
    const base = new URL(baseUrl);
    const headers: OutgoingHttpHeaders = { 'user-agent': suiteUserAgent };
    for (const [name, value] of Object.entries(request.headers ?? {}))
      headers[name] = typeof value === 'string' ? value : [...value];
    let body = request.body;
    if (request.json !== undefined) {
      body = JSON.stringify(request.json);
      headers['content-type'] ??= 'application/json';
    }
    if (request.chunkBytes !== undefined) headers['transfer-encoding'] = 'chunked';
    else if (body !== undefined) headers['content-length'] = Buffer.byteLength(body);
    const timeoutMs = request.timeoutMs ?? defaultTimeoutMs;
    const started = performance.now();
    const requestFn = base.protocol === 'https:' ? httpsRequest : httpRequest;
    const outgoing = requestFn(
      {
        protocol: base.protocol,
        hostname: hostnameOf(base),
        port: portOf(base),
        method: request.method ?? (body === undefined ? 'GET' : 'POST'),
        path: `${prefixOf(base)}${request.path}`,
        headers,
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          clearTimeout(timer);
          resolve({
            status: response.statusCode ?? 0,
            headers: flatten(response.headers),
            text: Buffer.concat(chunks).toString('utf8'),
            elapsedMs: Math.round(performance.now() - started),
          });
        });
        response.on('error', (error) => {
          clearTimeout(timer);
          reject(new NoAnswerError(`the answer broke off: ${error.message}`));
        });
      },
    );
    const timer = setTimeout(
      () => outgoing.destroy(new NoAnswerError(`no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    outgoing.on('error', (error) => {
      clearTimeout(timer);
      reject(error instanceof NoAnswerError ? error : new NoAnswerError(`request failed: ${error.message}`));
    });
    if (body !== undefined && request.chunkBytes !== undefined) {
      const bytes = Buffer.from(body);
      for (let offset = 0; offset < bytes.length; offset += request.chunkBytes)
        outgoing.write(bytes.subarray(offset, offset + request.chunkBytes));
      outgoing.end();
    } else {
      outgoing.end(body);
    }
  });

/** Decodes a `Transfer-Encoding: chunked` body; good enough for the short answers of this API. */
const dechunk = (raw: Buffer): Buffer => {
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = raw.indexOf('\r\n', offset);
    if (lineEnd < 0) break;
    const size = Number.parseInt(raw.subarray(offset, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(raw.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
};

const parseRawAnswer = (raw: Buffer, elapsedMs: number): HttpAnswer => {
  const headEnd = raw.indexOf('\r\n\r\n');
  if (headEnd < 0) throw new NoAnswerError('the connection closed without a complete answer');
  const [statusLine = '', ...headerLines] = raw.subarray(0, headEnd).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/\d(?:\.\d)? (\d{3})/.exec(statusLine)?.[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  const rest = raw.subarray(headEnd + 4);
  const body = headers['transfer-encoding']?.toLowerCase() === 'chunked' ? dechunk(rest) : rest;
  return { status, headers, text: body.toString('utf8'), elapsedMs };
};

export interface RawRequest {
  /** Sent as written, in any case. */
  readonly method: string;
  readonly path: string;
  /** Name and value pairs in order; a `host` entry replaces the default (even with an empty value). */
  readonly headers?: readonly (readonly [string, string])[];
  readonly timeoutMs?: number;
}

/**
 * One HTTP/1.1 request written byte by byte on a fresh socket (TLS for https), for what node:http will
 * not send: a lowercase method, an empty or odd Host.
 */
export const sendRaw = (baseUrl: string, request: RawRequest): Promise<HttpAnswer> =>
  new Promise((resolve, reject) => {
    const base = new URL(baseUrl);
    const headers = [...(request.headers ?? [])];
    if (!headers.some(([name]) => name.toLowerCase() === 'host')) headers.unshift(['host', base.host]);
    const text = [
      `${request.method} ${prefixOf(base)}${request.path} HTTP/1.1`,
      ...headers.map(([name, value]) => `${name}: ${value}`),
      `user-agent: ${suiteUserAgent}`,
      'connection: close',
      '',
      '',
    ].join('\r\n');
    const started = performance.now();
    const chunks: Buffer[] = [];
    const options = { host: hostnameOf(base), port: portOf(base) };
    const socket: Socket =
      base.protocol === 'https:'
        ? tlsConnect({ ...options, servername: hostnameOf(base) }, () => socket.write(text, 'latin1'))
        : netConnect(options, () => socket.write(text, 'latin1'));
    const timeoutMs = request.timeoutMs ?? defaultTimeoutMs;
    const timer = setTimeout(
      () => socket.destroy(new NoAnswerError(`no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error instanceof NoAnswerError ? error : new NoAnswerError(`request failed: ${error.message}`));
    });
    socket.on('close', () => {
      clearTimeout(timer);
      try {
        resolve(parseRawAnswer(Buffer.concat(chunks), Math.round(performance.now() - started)));
      } catch (error) {
        reject(error);
      }
    });
  });
