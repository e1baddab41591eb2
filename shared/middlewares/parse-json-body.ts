import { JsonMalformedError, MediaTypeUnsupportedError } from '../errors/request-errors.js';
import { headerOf, type SecureMiddleware } from '../http/secure-request.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** `application/json`, optionally with `charset=utf-8`; anything else is another media type. */
const isJsonMediaType = (contentType: string | undefined): boolean => {
  if (contentType === undefined) return false;
  const [mediaType, ...parameters] = contentType.split(';').map((part) => part.trim().toLowerCase());
  if (mediaType !== 'application/json') return false;
  return parameters.every(
    (parameter) => parameter === '' || parameter.replaceAll('"', '') === 'charset=utf-8',
  );
};

/**
 * Parses JSON bodies for routes that take one. Written here rather than taken from
 * @middy/http-json-body-parser because that middleware answers malformed JSON with 422, which we
 * reserve for schema violations; malformed JSON is a 400.
 */
export const parseJsonBody = (options: { readonly whenEmpty?: unknown } = {}): SecureMiddleware => ({
  name: 'parseJsonBody',
  before: (request) => {
    const { body, isBase64Encoded } = request.event;
    // Routes whose body is optional (logout) take a missing body as this value, content type or not.
    if (options.whenEmpty !== undefined && (body === null || body === undefined || body === '')) {
      request.context.bulwark.body = options.whenEmpty;
      return;
    }
    if (!isJsonMediaType(headerOf(request, 'content-type'))) throw new MediaTypeUnsupportedError();
    let text: string;
    try {
      text = isBase64Encoded === true ? utf8.decode(Buffer.from(body ?? '', 'base64')) : (body ?? '');
    } catch (error) {
      throw new JsonMalformedError(error);
    }
    try {
      request.context.bulwark.body = JSON.parse(text);
    } catch (error) {
      throw new JsonMalformedError(error);
    }
  },
});
