import { type JsonSchema, JsonSchemaVersion } from 'aws-cdk-lib/aws-apigateway';
import * as z from 'zod';

type Json = { [key: string]: unknown };

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Keywords whose meaning differs between the function's validator (zod, JavaScript) and API Gateway's
 * (JSON Schema draft 4 in Java): regular expressions run in another dialect, `format` is checked with
 * other rules, and defaults are never applied by API Gateway. They are left out: the function checks them.
 */
const droppedKeywords = new Set(['$schema', 'pattern', 'format', 'default', 'patternProperties']);

/**
 * One schema node, loosened until API Gateway can refuse nothing the function accepts: the gateway is an
 * early, cheap filter, never a stricter judge.
 * - zod counts string lengths in UTF-16 code units, JSON Schema in code points (one or two units), so a
 *   minimum of n units is a minimum of ceil(n / 2) code points; a maximum of n units stays n.
 * - JavaScript reads `1.0` as the integer 1, Java as a decimal: `integer` becomes `number` (the function
 *   still refuses fractions).
 * - Without `patternProperties`, `additionalProperties: false` would refuse the keys those patterns allowed,
 *   so both go together.
 */
const loosen = (node: unknown): unknown => {
  if (Array.isArray(node)) return node.map(loosen);
  if (!isObject(node)) return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) {
    if (droppedKeywords.has(key)) continue;
    if (key === 'additionalProperties' && 'patternProperties' in node) continue;
    if ((key === 'properties' || key === 'definitions') && isObject(value)) {
      // Property and definition names are data, not keywords: only their schemas are loosened.
      out[key] = Object.fromEntries(Object.entries(value).map(([name, schema]) => [name, loosen(schema)]));
    } else if (key === 'minLength' && typeof value === 'number') {
      out[key] = Math.ceil(value / 2);
    } else if (key === 'type') {
      out[key] = Array.isArray(value)
        ? [...new Set(value.map((type) => (type === 'integer' ? 'number' : type)))]
        : value === 'integer'
          ? 'number'
          : value;
    } else {
      out[key] = loosen(value);
    }
  }
  return out;
};

/**
 * The API Gateway model (JSON Schema draft 4) of a route's zod body schema (classic or zod/mini: zod's core
 * z.toJSONSchema takes both), generated
 * from the schema the function validates with (its input side), then loosened (see loosen()) so that the
 * gateway never refuses a body the function would accept. Refinements, patterns and formats are not
 * representable there and stay the function's job; anything zod cannot represent becomes "any value".
 */
export const requestModelSchemaOf = (schema: z.core.$ZodType): JsonSchema => {
  const generated = z.toJSONSchema(schema, { target: 'draft-04', io: 'input', unrepresentable: 'any' });
  // CDK writes `schema` as `$schema` and passes every other keyword through as it is.
  return { ...(loosen(generated) as JsonSchema), schema: JsonSchemaVersion.DRAFT4 };
};
