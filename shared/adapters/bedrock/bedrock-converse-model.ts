import type { TriageModel, TriagePrompt } from '../../domain/triage/triage-ports.js';
import { AwsCallError, type SignedJsonCall } from '../aws/signed-json-call.js';

interface ConverseOutput {
  readonly output?: { readonly message?: { readonly content?: readonly { readonly text?: unknown }[] } };
  readonly stopReason?: unknown;
}

/** The model stopped for another reason than finishing its answer (max tokens, a guardrail, a filter). */
export class ModelStoppedError extends Error {
  constructor(reason: string) {
    super(`the model stopped: ${reason}`);
    this.name = 'ModelStoppedError';
  }
}

/**
 * A Bedrock model through the Converse API (`POST /model/{modelId}/converse`): the system instructions,
 * one user message holding the delimited digest, no tools, temperature 0 and a token cap, and the answer's
 * JSON Schema as structured output. A model without structured output refuses the field
 * (ValidationException): the call is made once more without it, and that is remembered for the process
 * (the prompt asks for the same JSON, and the answer is validated either way).
 */
export const bedrockConverseModel = (modelId: string, call: SignedJsonCall): TriageModel => {
  let structuredOutput = true;
  const requestOf = (prompt: TriagePrompt) => ({
    system: [{ text: prompt.system }],
    messages: [{ role: 'user', content: [{ text: prompt.user }] }],
    inferenceConfig: { maxTokens: prompt.maxTokens, temperature: 0 },
    ...(structuredOutput
      ? {
          outputConfig: {
            textFormat: {
              type: 'json_schema',
              structure: {
                jsonSchema: { schema: JSON.stringify(prompt.answerSchema), name: 'triage_answer' },
              },
            },
          },
        }
      : {}),
  });
  const send = (prompt: TriagePrompt, signal: AbortSignal) =>
    call({ path: `/model/${encodeURIComponent(modelId)}/converse`, body: requestOf(prompt) }, signal);
  return {
    id: modelId,
    converse: async (prompt, signal) => {
      let answer: ConverseOutput;
      try {
        answer = (await send(prompt, signal)) as ConverseOutput;
      } catch (error) {
        if (!(structuredOutput && error instanceof AwsCallError && error.type === 'ValidationException'))
          throw error;
        structuredOutput = false;
        answer = (await send(prompt, signal)) as ConverseOutput;
      }
      if (answer.stopReason !== 'end_turn' && answer.stopReason !== 'stop_sequence') {
        throw new ModelStoppedError(String(answer.stopReason));
      }
      const text = (answer.output?.message?.content ?? [])
        .map((block) => (typeof block.text === 'string' ? block.text : ''))
        .join('');
      return text;
    },
  };
};
