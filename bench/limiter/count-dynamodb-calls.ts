import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * Counts the commands sent through `client` with a middleware at the `initialize` step: one per
 * `send`, before retries, so a decision's count is the DynamoDB calls its code asked for.
 */
export const countDynamoDbCalls = (client: DynamoDBClient, name: string): (() => number) => {
  let calls = 0;
  client.middlewareStack.add(
    (next) => async (args) => {
      calls += 1;
      return next(args);
    },
    { step: 'initialize', name: `benchCount${name}` },
  );
  return () => calls;
};
