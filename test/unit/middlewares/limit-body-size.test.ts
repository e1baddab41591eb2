/** The body limit on its own: sizes measured as the client sent them, base64 bodies after decoding. */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { RequestBodyTooLargeError } from '../../../shared/errors/request-errors.js';
import { decodedBodyBytes, limitBodySize } from '../../../shared/middlewares/limit-body-size.js';
import { rejectionOf } from '../../support/rejection-of.js';
import { secureRequestOf } from '../../support/secure-request-of.js';

const check = (maxBytes: number, event: Partial<APIGatewayProxyEvent>) => {
  const { request } = secureRequestOf({ event });
  return Promise.resolve().then(() => limitBodySize({ maxBytes }).before?.(request));
};

describe('decodedBodyBytes', () => {
  it('counts UTF-8 bytes of a plain body', () => {
    expect(decodedBodyBytes('abc', false)).toBe(3);
    expect(decodedBodyBytes('é€😀', false)).toBe(2 + 3 + 4);
  });

  it('counts the bytes a base64 body decodes to, padding included or not', () => {
    expect(decodedBodyBytes('YQ==', true)).toBe(1);
    expect(decodedBodyBytes('YWI=', true)).toBe(2);
    expect(decodedBodyBytes('YWJj', true)).toBe(3);
    expect(decodedBodyBytes('YWJjZA==', true)).toBe(4);
  });

  it('ignores line breaks and spaces in a base64 body', () => {
    expect(decodedBodyBytes('YWJj\r\nZA==', true)).toBe(4);
    expect(decodedBodyBytes(' YWJj ZGVm \n', true)).toBe(6);
  });
});

describe('limitBodySize', () => {
  it('accepts a body of exactly the limit and refuses one byte more with 413', async () => {
    await expect(check(3, { body: 'abc' })).resolves.toBeUndefined();
    expect(await rejectionOf(check(2, { body: 'abc' }))).toBeInstanceOf(RequestBodyTooLargeError);
    await expect(check(3, { body: 'YWJj', isBase64Encoded: true })).resolves.toBeUndefined();
    expect(await rejectionOf(check(2, { body: 'YWJj', isBase64Encoded: true }))).toBeInstanceOf(
      RequestBodyTooLargeError,
    );
  });

  it('lets a request without a body through', async () => {
    await expect(check(0, { body: null })).resolves.toBeUndefined();
    await expect(check(0, { body: undefined } as Partial<APIGatewayProxyEvent>)).resolves.toBeUndefined();
  });
});
