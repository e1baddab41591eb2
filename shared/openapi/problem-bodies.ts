import * as z from 'zod';

/** One rejected field of a 422: a JSON Pointer and a message written from the schema, never the value. */
export const fieldErrorBody = z
  .strictObject({
    path: z.string().meta({ description: 'JSON Pointer (RFC 6901) to the field', example: '/username' }),
    message: z.string().meta({ example: 'must be at least 3 characters' }),
  })
  .meta({ id: 'FieldError' });

/**
 * RFC 9457 problem details as every function and API Gateway answer them (shared/http/problem-response.ts,
 * infra/constructs/problem-gateway-responses.ts). `type` is the stable part: branch on it, never on `title`.
 */
export const problemBody = z
  .strictObject({
    type: z.string().meta({ description: 'Stable problem type URI: `urn:bulwark:problem:<code>`' }),
    title: z.string(),
    status: z.int().min(400).max(599),
    detail: z.string().meta({ description: 'What to do; never a request value, secret or stack trace' }),
    request_id: z
      .string()
      .meta({ description: 'Equals the x-request-id header and every log line of the request' }),
    errors: z.array(fieldErrorBody).max(20).optional().meta({ description: 'Field errors (422 only)' }),
  })
  .meta({
    id: 'Problem',
    description: 'RFC 9457 problem details; every type is listed in docs/problem-types.md',
  });

/** API Gateway's catch-alls keep the status it chose, which a gateway template cannot name: no `status`. */
export const gatewayCatchAllBody = problemBody.omit({ status: true, errors: true }).meta({
  id: 'GatewayProblem',
  description: "Problem details of API Gateway's catch-all answers (the status is the response's own)",
});
