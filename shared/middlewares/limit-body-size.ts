import { RequestBodyTooLargeError } from '../errors/request-errors.js';
import type { SecureMiddleware } from '../http/secure-request.js';

/** Size of the body as the client sent it: base64 events are measured after decoding, without decoding. */
export const decodedBodyBytes = (body: string, isBase64Encoded: boolean): number => {
  if (!isBase64Encoded) return Buffer.byteLength(body, 'utf8');
  const trimmed = body.replace(/\s+/g, '');
  const padding = trimmed.endsWith('==') ? 2 : trimmed.endsWith('=') ? 1 : 0;
  return Math.floor((trimmed.length * 3) / 4) - padding;
};

/** 413 before any parsing, on every route, so an oversized body costs nothing beyond this check. */
export const limitBodySize = (options: { readonly maxBytes: number }): SecureMiddleware => ({
  name: 'limitBodySize',
  before: (request) => {
    const { body, isBase64Encoded } = request.event;
    if (body === null || body === undefined) return;
    if (decodedBodyBytes(body, isBase64Encoded === true) > options.maxBytes) {
      throw new RequestBodyTooLargeError(options.maxBytes);
    }
  },
});
