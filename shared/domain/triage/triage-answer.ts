import * as z from 'zod/mini';

/**
 * What the model must answer: exactly this JSON object (Converse structured output where the model
 * supports it, the same schema in the prompt otherwise). Anything else is a failed call.
 */
export const triageAnswer = z.strictObject({
  summary: z.string().check(z.minLength(1), z.maxLength(4_000)),
  likely_causes: z.array(z.string().check(z.minLength(1), z.maxLength(500))).check(z.maxLength(10)),
});

export type TriageAnswer = z.output<typeof triageAnswer>;

/**
 * `z.toJSONSchema(triageAnswer, { io: 'output' })`, written out so the function bundle does not carry
 * zod's JSON Schema generator; test/unit/triage/triage-answer.test.ts keeps the two equal.
 */
export const triageAnswerJsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  properties: {
    summary: { type: 'string', minLength: 1, maxLength: 4000 },
    likely_causes: {
      type: 'array',
      items: { type: 'string', minLength: 1, maxLength: 500 },
      maxItems: 10,
    },
  },
  required: ['summary', 'likely_causes'],
  additionalProperties: false,
} as const;

/** The model's reply is not the required JSON object. */
export class ModelAnswerInvalidError extends Error {
  constructor(reason: string) {
    super(`the model's answer was not valid: ${reason}`);
    this.name = 'ModelAnswerInvalidError';
  }
}

/** Parses and validates a reply text; a fenced ```json block is accepted, nothing else around it. */
export const parseTriageAnswer = (text: string): TriageAnswer => {
  const trimmed = text.trim();
  const fenced = /^```(?:json)?\s*([\s\S]*?)\s*```$/.exec(trimmed);
  let parsed: unknown;
  try {
    parsed = JSON.parse(fenced?.[1] ?? trimmed);
  } catch {
    throw new ModelAnswerInvalidError('not JSON');
  }
  const result = triageAnswer.safeParse(parsed);
  if (!result.success) throw new ModelAnswerInvalidError('not { summary, likely_causes }');
  return result.data;
};
