/**
 * Checks answers against an OpenAPI 3.1 document: the operation of the request's method and path, the
 * response of its status (or its `4XX`/`5XX` range), the content type, the body against the schema
 * (JSON Schema 2020-12, Ajv) and every required header. An answer for a path and method the document has
 * no operation for is the fallback's (404, 405, preflight) or a gateway's: a problem of the catalogue
 * whose status is the answer's.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { problemTypes, problemTypeUri } from '../../shared/errors/problem-types.js';
import type { LocalExchange } from '../../shared/local/local-server.js';
import type { OpenApiDocument } from '../../shared/openapi/openapi-document.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

type Json = Record<string, unknown>;
const methods = ['get', 'put', 'post', 'patch', 'delete'] as const;

const pointerSegment = (segment: string): string => segment.replaceAll('~', '~0').replaceAll('/', '~1');

const segmentsOf = (path: string): string[] => path.split('/').filter((segment) => segment.length > 0);

/** The document's path template for `path`, matched segment by segment as API Gateway resources match. */
const templateOf = (document: OpenApiDocument, path: string): string | undefined => {
  const actual = segmentsOf(path);
  return Object.keys(document.paths ?? {}).find((template) => {
    const expected = segmentsOf(template);
    return (
      expected.length === actual.length &&
      expected.every((segment, index) => /^\{\w+\}$/.test(segment) || segment === actual[index])
    );
  });
};

export interface ContractChecker {
  /** What is wrong with `exchange` under the document: empty when it conforms. */
  readonly violations: (exchange: LocalExchange) => string[];
}

export const contractChecker = (document: OpenApiDocument): ContractChecker => {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  ajv.addSchema(document as unknown as Json, 'openapi');
  const validators = new Map<string, ReturnType<Ajv2020['compile']>>();
  const validatorAt = (pointer: string) => {
    let validate = validators.get(pointer);
    if (validate === undefined) {
      validate = ajv.compile({ $ref: `openapi#${pointer}` });
      validators.set(pointer, validate);
    }
    return validate;
  };
  const at = (pointer: string): unknown =>
    pointer
      .slice(1)
      .split('/')
      .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'))
      .reduce<unknown>((node, segment) => (node as Json | undefined)?.[segment], document);
  /** Follows `$ref`s, returning the JSON Pointer of the object reached (schemas are validated by pointer). */
  const resolved = (pointer: string): string => {
    const node = at(pointer) as Json | undefined;
    const ref = node?.$ref;
    return typeof ref === 'string' ? resolved(ref.slice(1)) : pointer;
  };

  const checkBody = (label: string, pointer: string, body: string): string[] => {
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch {
      return [`${label}: the body is not JSON`];
    }
    const validate = validatorAt(pointer);
    if (validate(value)) return [];
    return (validate.errors ?? []).map(
      (error) => `${label}: body ${error.instancePath || '/'} ${error.message ?? 'is invalid'}`,
    );
  };

  const checkResponse = (label: string, responsePointer: string, exchange: LocalExchange): string[] => {
    const pointer = resolved(responsePointer);
    const response = at(pointer) as { content?: Json; headers?: Json };
    const problems: string[] = [];
    for (const name of Object.keys(response.headers ?? {})) {
      const headerPointer = resolved(`${pointer}/headers/${pointerSegment(name)}`);
      const header = at(headerPointer) as { required?: boolean };
      const value = exchange.headers[name.toLowerCase()];
      if (value === undefined) {
        if (header.required === true) problems.push(`${label}: required header ${name} is missing`);
        continue;
      }
      const validate = validatorAt(`${headerPointer}/schema`);
      if (!validate(value)) problems.push(`${label}: header ${name} ${JSON.stringify(value)} does not match`);
    }
    const contentType = (exchange.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
    if (response.content === undefined) {
      if (exchange.body.length > 0) problems.push(`${label}: a body where the document describes none`);
      return problems;
    }
    if (!(contentType in response.content))
      return [
        ...problems,
        `${label}: content type "${contentType}" is not one of ${Object.keys(response.content).join(', ')}`,
      ];
    return [
      ...problems,
      ...checkBody(label, `${pointer}/content/${pointerSegment(contentType)}/schema`, exchange.body),
    ];
  };

  /** The fallback's and the gateway's answers: a catalogue problem with the answer's own status. */
  const checkUnrouted = (label: string, exchange: LocalExchange): string[] => {
    if (exchange.method === 'OPTIONS' && exchange.status === 204) return [];
    const contentType = (exchange.headers['content-type'] ?? '').split(';')[0]?.trim();
    if (contentType !== 'application/problem+json')
      return [`${label}: an answer to no operation must be a problem, not "${contentType}"`];
    const problems = checkBody(label, resolved('/components/schemas/Problem'), exchange.body);
    const type = (JSON.parse(exchange.body) as { type?: unknown }).type;
    const code = Object.keys(problemTypes).find((candidate) => problemTypeUri(candidate as never) === type);
    if (code === undefined) return [...problems, `${label}: type ${String(type)} is not in the catalogue`];
    if (problemTypes[code as keyof typeof problemTypes].status !== exchange.status)
      problems.push(`${label}: type ${String(type)} with status ${exchange.status}`);
    if (exchange.headers['x-request-id'] === undefined) problems.push(`${label}: x-request-id is missing`);
    return problems;
  };

  return {
    violations: (exchange) => {
      const label = `${exchange.method} ${exchange.path} -> ${exchange.status}`;
      const template = templateOf(document, exchange.path);
      const method = exchange.method.toLowerCase() as (typeof methods)[number];
      const operation = template === undefined ? undefined : document.paths?.[template]?.[method];
      if (template === undefined || operation === undefined || !methods.includes(method))
        return checkUnrouted(label, exchange);
      const base = `/paths/${pointerSegment(template)}/${method}/responses`;
      const status = String(exchange.status);
      const key = [status, `${status.charAt(0)}XX`, 'default'].find(
        (candidate) => operation.responses?.[candidate] !== undefined,
      );
      if (key === undefined)
        return [`${label}: status ${status} is not documented for ${method.toUpperCase()} ${template}`];
      return checkResponse(`${label} (${template})`, `${base}/${key}`, exchange);
    },
  };
};
