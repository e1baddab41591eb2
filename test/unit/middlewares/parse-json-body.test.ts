/**
 * parseJsonBody on its own: the media types it takes, base64 bodies decoded as strict UTF-8, malformed
 * JSON as 400 with the parse error as the cause, and the value an optional body defaults to. Loaded afresh
 * for each test, so its strict decoder (a module constant) is mutation-tested too.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { JsonMalformedError, MediaTypeUnsupportedError } from '../../../shared/errors/request-errors.js';
import { importFresh } from '../../support/import-fresh.js';
import { rejectionOf } from '../../support/rejection-of.js';
import { secureRequestOf } from '../../support/secure-request-of.js';

type ParseModule = typeof import('../../../shared/middlewares/parse-json-body.js');
let parseJsonBody: ParseModule['parseJsonBody'];
beforeEach(async () => {
  ({ parseJsonBody } = await importFresh<ParseModule>(
    new URL('../../../shared/middlewares/parse-json-body.js', import.meta.url),
  ));
});

const parse = async (event: Partial<APIGatewayProxyEvent>, options?: { readonly whenEmpty?: unknown }) => {
  const { request } = secureRequestOf({ event });
  await parseJsonBody(options).before?.(request);
  return request.context.bulwark.body;
};
const json = (body: string | null, contentType = 'application/json'): Partial<APIGatewayProxyEvent> => ({
  body,
  headers: { 'content-type': contentType },
});

describe('parseJsonBody', () => {
  it.each([
    'application/json',
    'Application/JSON',
    'application/json; charset=utf-8',
    'application/json;charset="UTF-8"',
    'application/json;',
    'application/json; ; charset=utf-8',
  ])('parses a body sent as %j', async (contentType) => {
    expect(await parse(json('{"a":1}', contentType))).toEqual({ a: 1 });
  });

  it.each(['text/plain', 'application/json; charset=latin1', 'application/jsonx', 'application/json; x=1'])(
    'refuses %j with 415',
    async (contentType) => {
      expect(await rejectionOf(parse(json('{}', contentType)))).toBeInstanceOf(MediaTypeUnsupportedError);
    },
  );

  it('refuses a body without a content type with 415', async () => {
    expect(await rejectionOf(parse({ body: '{}', headers: {} }))).toBeInstanceOf(MediaTypeUnsupportedError);
  });

  it('decodes a base64 body before parsing it', async () => {
    const body = Buffer.from('{"name":"é"}', 'utf8').toString('base64');
    expect(await parse({ ...json(body), isBase64Encoded: true })).toEqual({ name: 'é' });
  });

  it('refuses a base64 body that is not UTF-8 as malformed, with the decoding error as the cause', async () => {
    const body = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]).toString('base64');
    const error = await rejectionOf(parse({ ...json(body), isBase64Encoded: true }));
    expect(error).toBeInstanceOf(JsonMalformedError);
    expect((error as JsonMalformedError).cause).toBeInstanceOf(TypeError);
  });

  it('refuses malformed JSON with 400, keeping the parse error as the cause', async () => {
    for (const body of ['{', '', null]) {
      const error = await rejectionOf(parse(json(body)));
      expect(error).toBeInstanceOf(JsonMalformedError);
      expect((error as JsonMalformedError).cause).toBeInstanceOf(SyntaxError);
    }
  });

  it('takes a missing or empty body as the default of an optional body, whatever the content type', async () => {
    for (const body of [null, undefined, '']) {
      expect(
        await parse({ body, headers: {} } as Partial<APIGatewayProxyEvent>, { whenEmpty: { all: false } }),
      ).toEqual({
        all: false,
      });
    }
  });

  it('still parses a present body of a route with an optional body', async () => {
    expect(await parse(json('{"all":true}'), { whenEmpty: { all: false } })).toEqual({ all: true });
  });
});
